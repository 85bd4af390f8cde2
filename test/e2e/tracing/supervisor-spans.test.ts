import assert from 'node:assert/strict';
import { it } from 'node:test';
import { startOtlpReceiver } from '../../support/otlp-receiver.ts';
import { startTestProxy } from '../../support/test-proxy.ts';

it('traces the supervised MCP server: start with spawned and ready events, stop with its exit', async (t) => {
  const receiver = await startOtlpReceiver();
  t.after(() => receiver.close());
  const proxy = await startTestProxy({
    supervisedMcp: {},
    env: { OTEL_SDK_DISABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.baseUrl },
  });
  t.after(() => proxy.close());
  const pid = proxy.supervisor.pid();
  await proxy.stop();

  const spans = receiver.spans();
  const start = spans.find((span) => span.name === 'mcp_server.start');
  assert.ok(start);
  assert.equal(start.parentSpanId, '');
  assert.equal(start.attributes['process.executable.name'], 'node');
  assert.deepEqual(
    start.events.map((event) => event.name),
    ['mcp_server.spawned', 'mcp_server.ready'],
  );
  assert.equal(start.events[0]?.attributes['process.pid'], pid);
  const stop = spans.find((span) => span.name === 'mcp_server.stop');
  assert.equal(stop?.events[0]?.name, 'mcp_server.exited');
  assert.equal(stop?.events[0]?.attributes['process.pid'], pid);
  // Neither the command's arguments nor its environment are recorded.
  assert.doesNotMatch(JSON.stringify(spans), /mcp-fixture-server-main|MCP_FIXTURE_REQUIRE_BEARER/);
});
