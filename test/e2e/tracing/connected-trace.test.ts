import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../support/otlp-receiver.ts';
import { authorizeWithSdk, TestOAuthClient } from '../../support/sdk-oauth-client.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';

const SERVER = 2;
const CLIENT = 3;
/** A caller's trace, as a client that traces itself would send it (W3C Trace Context §3.2). */
const CALLER_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';

/** Every value of every attribute (span, event and resource), flattened. */
function attributeValues(spans: readonly ReceivedSpan[]): string[] {
  const values: string[] = [];
  const add = (attributes: Readonly<Record<string, unknown>>) => {
    for (const value of Object.values(attributes)) values.push(JSON.stringify(value));
  };
  for (const span of spans) {
    add(span.attributes);
    add(span.resource);
    for (const event of span.events) add(event.attributes);
    values.push(span.name);
  }
  return values;
}

/** A random credential as the proxy, oidc-provider and the test IdP make them: 32+ base64url characters, not hex, not a UUID. */
const CREDENTIAL_LIKE = /[A-Za-z0-9_-]{32,}/g;
const isIdentifier = (text: string) => /^[0-9a-f]+$/i.test(text) || /^[0-9a-f-]{36}$/i.test(text);

for (const protocol of ['http/protobuf', 'http/json'] as const) {
  describe(`a sign-in and tool calls are one connected trace, exported over OTLP ${protocol}`, () => {
    let receiver: OtlpReceiver;
    let proxy: TestProxy;
    let spans: ReceivedSpan[];
    const secrets: string[] = [];
    let toolCallTraceparents: string[] = [];

    before(async () => {
      receiver = await startOtlpReceiver();
      proxy = await startTestProxy({
        env: {
          OTEL_SDK_DISABLED: 'false',
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.baseUrl,
          OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
          OTEL_SERVICE_NAME: 'traced-proxy',
          OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test,service.namespace=mcp',
        },
      });
      const client = new TestOAuthClient();
      const login = await authorizeWithSdk(proxy.mcpUrl, client, new UserAgent(), { username: 'alice' });
      secrets.push(
        login.tokens.access_token,
        login.tokens.refresh_token ?? '',
        login.callback.searchParams.get('code') ?? '',
        proxy.idp.clientSecret,
      );

      const mcpClient = new Client({ name: 'traced', version: '1.0.0' });
      await mcpClient.connect(
        new StreamableHTTPClientTransport(new URL(proxy.mcpUrl), { authProvider: client }),
      );
      const before = proxy.mcp.seenHeaders.length;
      await mcpClient.callTool({ name: 'whoami', arguments: {} });
      // The IdP token expires: the MCP server answers 401, the proxy refreshes at the IdP and replays.
      proxy.idp.expireAccessTokens();
      await mcpClient.callTool({ name: 'whoami', arguments: {} });
      toolCallTraceparents = proxy.mcp.seenHeaders
        .slice(before)
        .map((headers) => headers.traceparent)
        .filter((value): value is string => typeof value === 'string');
      secrets.push(
        ...proxy.mcp.seenAuthorizations.map((authorization) => authorization.replace(/^Bearer /i, '')),
      );
      await mcpClient.close();

      // A client that traces itself: its traceparent makes our server span its child.
      await fetch(proxy.mcpUrl, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${login.tokens.access_token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          traceparent: `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01`,
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }),
      }).then((response) => response.arrayBuffer());

      // Stopping the proxy exports what is pending: no waiting for the batch delay.
      await proxy.stop();
      spans = receiver.spans();
    });
    after(async () => {
      await proxy.close();
      await receiver.close();
    });

    it(`sends ${protocol} to /v1/traces`, () => {
      const contentType = protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';
      assert.ok(receiver.requests.length > 0);
      for (const request of receiver.requests) assert.equal(request.contentType, contentType);
    });

    it('names the resource from OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES', () => {
      for (const span of spans) {
        assert.equal(span.resource['service.name'], 'traced-proxy');
        assert.equal(span.resource['deployment.environment.name'], 'test');
        assert.equal(span.resource['service.namespace'], 'mcp');
      }
    });

    it('joins tool call, token check, upstream call and the MCP server under one trace', () => {
      const toolCalls = spans.filter(
        (span) => span.kind === SERVER && span.attributes['gen_ai.tool.name'] === 'whoami',
      );
      assert.equal(toolCalls.length, 2);
      for (const call of toolCalls) {
        assert.equal(call.name, 'POST /mcp');
        assert.equal(call.attributes['http.request.method'], 'POST');
        assert.equal(call.attributes['http.route'], '/mcp');
        assert.equal(call.attributes['url.path'], '/mcp');
        assert.equal(call.attributes['http.response.status_code'], 200);
        assert.equal(call.attributes['mcp.method.name'], 'tools/call');
        assert.equal(call.attributes['gen_ai.operation.name'], 'execute_tool');
        assert.equal(typeof call.attributes['mcp.session.id'], 'string');
        assert.equal(typeof call.attributes['jsonrpc.request.id'], 'string');
        const children = spans.filter((span) => span.parentSpanId === call.spanId);
        for (const child of children) assert.equal(child.traceId, call.traceId);
        // The token was checked at the first request of the session: these are answered from memory.
        assert.equal(call.attributes['mcp_auth_proxy.access_cache.hit'], true);
        assert.ok(!children.some((span) => span.name === 'access_token.verify'));
        const upstream = children.filter((span) => span.kind === CLIENT && span.name === 'POST /mcp');
        assert.ok(upstream.length >= 1);
        // The MCP server received the upstream span's traceparent: its spans are that span's children.
        for (const attempt of upstream) {
          assert.ok(toolCallTraceparents.includes(`00-${attempt.traceId}-${attempt.spanId}-01`));
        }
      }
    });

    it('shows the token check that missed the cache as a span, with its store read', () => {
      const missed = spans.find(
        (span) => span.kind === SERVER && span.attributes['mcp_auth_proxy.access_cache.hit'] === false,
      );
      assert.ok(missed, 'a request whose token was not in the cache');
      const check = spans.find(
        (span) => span.parentSpanId === missed.spanId && span.name === 'access_token.verify',
      );
      assert.ok(check);
      const read = spans.find((span) => span.parentSpanId === check.spanId && span.kind === CLIENT);
      assert.equal(read?.attributes['db.system.name'], 'sqlite');
      assert.equal(read?.attributes['db.operation.name'], 'get');
      assert.equal(read?.attributes['db.collection.name'], 'AccessToken');
    });

    it('shows the upstream 401, the refresh at the identity provider and the replay', () => {
      const refresh = spans.find((span) => span.name === 'idp.refresh');
      assert.ok(refresh, 'an idp.refresh span');
      const replay = spans.find(
        (span) => span.kind === CLIENT && span.attributes['http.request.resend_count'] === 1,
      );
      assert.ok(replay, 'a replayed upstream call');
      const first = spans.find(
        (span) =>
          span.kind === CLIENT &&
          span.parentSpanId === replay.parentSpanId &&
          span.attributes['http.response.status_code'] === 401,
      );
      assert.ok(first, 'the first attempt, refused with 401');
      assert.equal(first.statusCode, 2);
      assert.equal(replay.attributes['http.response.status_code'], 200);
    });

    it('traces the sign-in: route-named server spans, the code exchange and store calls', () => {
      const names = new Set(spans.map((span) => span.name));
      for (const name of ['GET /auth', 'GET /interaction/:uid', 'POST /token', 'POST /reg']) {
        assert.ok(names.has(name), `${name} in ${[...names].join(', ')}`);
      }
      const exchange = spans.find((span) => span.name === 'idp.code_exchange');
      assert.ok(exchange);
      assert.equal(exchange.kind, CLIENT);
      const callback = spans.find((span) => span.spanId === exchange.parentSpanId);
      assert.equal(callback?.name, 'GET /interaction/:uid/identity/callback');
      assert.ok(spans.some((span) => span.attributes['db.system.name'] === 'sqlite'));
      for (const span of spans) {
        assert.doesNotMatch(span.name, /[?=]/, `no query in span names: ${span.name}`);
        const path = span.attributes['url.path'];
        if (typeof path === 'string') assert.doesNotMatch(path, /\?/);
      }
    });

    it("honours the caller's traceparent", () => {
      const listed = spans.find((span) => span.attributes['mcp.method.name'] === 'tools/list');
      assert.equal(listed?.traceId, CALLER_TRACE_ID);
      assert.equal(listed?.parentSpanId, CALLER_SPAN_ID);
    });

    it('never records a token, code or secret in any attribute', () => {
      const values = attributeValues(spans);
      for (const secret of secrets.filter((value) => value.length >= 16)) {
        for (const value of values) assert.ok(!value.includes(secret), `a secret in ${value}`);
      }
      for (const value of values) {
        for (const match of value.match(CREDENTIAL_LIKE) ?? []) {
          assert.ok(isIdentifier(match), `something credential-like in ${value}`);
        }
      }
    });
  });
}
