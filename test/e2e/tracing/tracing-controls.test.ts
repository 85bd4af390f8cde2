import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/otlp-receiver.ts';
import { authorizeWithSdk, TestOAuthClient } from '../../support/sdk-oauth-client.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';

const CALLER_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_TRACEPARENT = `00-${CALLER_TRACE_ID}-b7ad6b7169203331-01`;
/** The batch processor exports at most this many spans at once (create-tracer-provider.ts). */
const EXPORT_BATCH_SIZE = 128;

async function tracedProxy(
  t: TestContext,
  env: Record<string, string>,
): Promise<{ proxy: TestProxy; receiver: OtlpReceiver }> {
  const receiver = await startOtlpReceiver();
  t.after(() => receiver.close());
  const proxy = await startTestProxy({
    env: { OTEL_SDK_DISABLED: 'false', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl, ...env },
  });
  t.after(() => proxy.close());
  return { proxy, receiver };
}

/** A tool-listing POST carrying a caller's traceparent; returns the traceparent the MCP server received. */
async function callWithTraceparent(proxy: TestProxy, accessToken: string): Promise<unknown> {
  const seen = proxy.mcp.seenHeaders.length;
  await fetch(proxy.mcpUrl, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${accessToken}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      traceparent: CALLER_TRACEPARENT,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  }).then((response) => response.arrayBuffer());
  return proxy.mcp.seenHeaders[seen]?.traceparent;
}

async function signIn(proxy: TestProxy): Promise<string> {
  const { tokens } = await authorizeWithSdk(proxy.mcpUrl, new TestOAuthClient(), new UserAgent(), {
    username: 'bob',
  });
  return tokens.access_token;
}

/** `count` requests that each make one server span, a few at a time. */
async function makeSpans(proxy: TestProxy, count: number): Promise<void> {
  const url = `${proxy.baseUrl}/.well-known/oauth-protected-resource`;
  for (let done = 0; done < count; done += 16) {
    await Promise.all(
      Array.from({ length: Math.min(16, count - done) }, () =>
        fetch(url).then((response) => response.arrayBuffer()),
      ),
    );
  }
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const events = (proxy: TestProxy, event: string) => proxy.logs.filter((line) => line['event'] === event);

describe('tracing controls', () => {
  it('logs one warning for a collector that refuses every export, and one line when it accepts again', async (t) => {
    const { proxy, receiver } = await tracedProxy(t, {});
    receiver.status = 400;
    await makeSpans(proxy, EXPORT_BATCH_SIZE * 3);
    await waitFor(() => receiver.requests.length >= 3, 'three refused exports');
    assert.equal(events(proxy, 'telemetry.export_failed').length, 1);
    const [warning] = events(proxy, 'telemetry.export_failed');
    assert.equal(warning?.['level'], 40);
    assert.equal(warning?.['target'], receiver.tracesUrl);

    receiver.status = 200;
    await makeSpans(proxy, EXPORT_BATCH_SIZE);
    await waitFor(() => events(proxy, 'telemetry.export_recovered').length > 0, 'the recovery line');
    await makeSpans(proxy, EXPORT_BATCH_SIZE);
    await proxy.stop();
    assert.equal(events(proxy, 'telemetry.export_failed').length, 1);
    assert.equal(events(proxy, 'telemetry.export_recovered').length, 1);
  });

  it("exports nothing with OTEL_SDK_DISABLED=true, and passes the caller's traceparent through untouched", async (t) => {
    const { proxy, receiver } = await tracedProxy(t, { OTEL_SDK_DISABLED: 'true' });
    const received = await callWithTraceparent(proxy, await signIn(proxy));
    await proxy.stop();
    assert.equal(received, CALLER_TRACEPARENT);
    assert.equal(receiver.requests.length, 0);
  });

  it('exports nothing with OTEL_TRACES_SAMPLER=always_off, and tells the MCP server the trace is not sampled', async (t) => {
    const { proxy, receiver } = await tracedProxy(t, { OTEL_TRACES_SAMPLER: 'always_off' });
    const received = await callWithTraceparent(proxy, await signIn(proxy));
    await proxy.stop();
    assert.match(String(received), new RegExp(`^00-${CALLER_TRACE_ID}-[0-9a-f]{16}-00$`));
    assert.notEqual(received, CALLER_TRACEPARENT);
    assert.equal(receiver.requests.length, 0);
  });

  it('exports the spans still waiting in the batch when the proxy stops', async (t) => {
    const { proxy, receiver } = await tracedProxy(t, {});
    await makeSpans(proxy, 1);
    await proxy.stop();
    assert.ok(
      receiver.spans().some((span) => span.name === 'GET /.well-known/oauth-protected-resource'),
      'the last request reached the collector',
    );
  });
});
