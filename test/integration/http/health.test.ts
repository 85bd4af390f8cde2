/**
 * /healthz and /readyz on the real proxy (startTestProxy), with each
 * dependency taken away for real: the MCP server closed, the IdP's discovery
 * failing, a private redis-server killed, the supervised MCP server stopped.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Socket } from 'node:net';
import { after, before, describe, it, type TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { createHealthRoutes, serveHealthRoutesFirst } from '../../../src/http/health-routes.ts';
import { systemClock } from '../../../src/shared/clock.ts';
import { silentLogger } from '../../../src/shared/logger.ts';
import { createManualClock } from '../../contract/manual-clock.ts';
import { startFakeIdp } from '../../support/fake-idp.ts';
import { freePort } from '../../support/free-port.ts';
import { startMcpFixtureServer } from '../../support/mcp-fixture-server.ts';
import { uniqueRedisPrefix } from '../../support/redis.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';

const REDIS_SERVER = '/usr/bin/redis-server';

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

async function get(baseUrl: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${baseUrl}${path}`, { redirect: 'manual', ...init });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : JSON.parse(text) };
}

function readinessLogs(proxy: TestProxy): Array<Record<string, unknown>> {
  return proxy.logs.filter((line) => line['event'] === 'health.readiness_changed');
}

describe('health endpoints with every dependency up', () => {
  let proxy: TestProxy;
  before(async () => {
    // One authorization request per window: the health endpoints must not count against it.
    proxy = await startTestProxy({ env: { MAX_REQUESTS: '1' } });
  });
  after(async () => {
    await proxy.close();
  });

  it('/healthz answers 200 {"status":"ok"} without credentials, to GET and HEAD', async () => {
    const answer = await get(proxy.baseUrl, '/healthz');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { status: 'ok' });
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.equal((await fetch(`${proxy.baseUrl}/healthz`, { method: 'HEAD' })).status, 200);
  });

  it('/readyz answers 200 with the store, the MCP server and the identity provider named ok', async () => {
    const answer = await get(proxy.baseUrl, '/readyz');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, {
      status: 'ready',
      checks: { store: 'ok', mcpServer: 'ok', identityProvider: 'ok' },
    });
  });

  it('is neither rate limited nor written to the access log', async () => {
    for (let probe = 0; probe < 5; probe += 1) {
      const answer = await get(proxy.baseUrl, probe % 2 === 0 ? '/readyz' : '/healthz');
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('ratelimit-limit'), null);
    }
    const logged = proxy.logs.filter(
      (line) => line['event'] === 'http.request' && /^\/(healthz|readyz)/.test(String(line['path'])),
    );
    assert.deepEqual(logged, []);
  });

  it('refuses other methods with 405 and Allow', async () => {
    const answer = await get(proxy.baseUrl, '/readyz', { method: 'POST' });
    assert.equal(answer.status, 405);
    assert.equal(answer.headers.get('allow'), 'GET, HEAD');
  });
});

describe('readiness when the MCP server stops', () => {
  it('answers 503 with Retry-After, names mcpServer, logs the change once, and stays live', async (t) => {
    const mcp = await startMcpFixtureServer({ stateful: true });
    const proxy = await startTestProxy({ mcp });
    t.after(() => proxy.close());
    assert.equal((await get(proxy.baseUrl, '/readyz')).status, 200);

    await mcp.close();
    for (let probe = 0; probe < 2; probe += 1) {
      const answer = await get(proxy.baseUrl, '/readyz');
      assert.equal(answer.status, 503);
      assert.equal(answer.headers.get('retry-after'), '5');
      assert.deepEqual(answer.body, {
        status: 'not_ready',
        checks: { store: 'ok', mcpServer: 'unreachable', identityProvider: 'ok' },
        failing: ['mcpServer'],
      });
    }
    assert.deepEqual(
      readinessLogs(proxy).map((line) => line['status']),
      ['ready', 'not_ready'],
    );
    assert.equal((await get(proxy.baseUrl, '/healthz')).status, 200);
  });
});

describe('readiness when the identity provider stops answering discovery', () => {
  it('names identityProvider as unreachable', async (t) => {
    const idp = await startFakeIdp({ mode: 'oidc' });
    const proxy = await startTestProxy({ idp });
    t.after(async () => {
      await proxy.close();
      await idp.close();
    });
    idp.discoveryBehaviour = 'server_error';
    const answer = await get(proxy.baseUrl, '/readyz');
    assert.equal(answer.status, 503);
    assert.deepEqual(answer.body['failing'], ['identityProvider']);
    assert.equal((answer.body['checks'] as Record<string, string>)['identityProvider'], 'unreachable');
  });

  it('asks the identity provider at most once per cache period, however often it is probed', async (t) => {
    const idp = await startFakeIdp({ mode: 'heroku' });
    t.after(() => idp.close());
    const clock = createManualClock();
    const [, readyz] = createHealthRoutes({
      store: { ping: () => Promise.resolve() },
      mcpServers: [{ id: 'default', probe: { kind: 'per-session' } }],
      identityProvider: { metadata: () => ({ issuer: idp.issuer }), discoveryUrl: new URL(idp.url) },
      clock,
      logger: silentLogger,
      identityProviderCacheMs: 10_000,
    });
    const baseUrl = await serve(
      t,
      serveHealthRoutesFirst([readyz!], () => Promise.reject(new Error('unrouted'))),
    );
    const before = idp.counts.discovery;
    for (let probe = 0; probe < 5; probe += 1) {
      // An OAuth-only IdP answers 404 for OpenID discovery: it answers, so it counts as up.
      assert.equal((await get(baseUrl, '/readyz')).status, 200);
    }
    assert.equal(idp.counts.discovery - before, 1);
    clock.advance(10_000);
    assert.equal((await get(baseUrl, '/readyz')).status, 200);
    assert.equal(idp.counts.discovery - before, 2);
  });
});

describe('readiness when Redis goes away', () => {
  it('names the store as unavailable', async (t) => {
    if (!existsSync(REDIS_SERVER)) {
      if (process.env['CI'] === 'true')
        throw new Error(`${REDIS_SERVER} is missing, and CI=true requires it`);
      return t.skip(`no ${REDIS_SERVER}`);
    }
    const port = await freePort();
    const redis: ChildProcess = spawn(
      REDIS_SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    t.after(() => {
      if (redis.exitCode === null && redis.signalCode === null) redis.kill('SIGKILL');
    });
    await waitForPort(port);
    const proxy = await startTestProxy({
      store: { kind: 'redis', url: `redis://127.0.0.1:${port}`, prefix: uniqueRedisPrefix('health') },
    });
    t.after(() => proxy.close());
    assert.equal((await get(proxy.baseUrl, '/readyz')).status, 200);

    const exited = once(redis, 'exit');
    redis.kill('SIGKILL');
    await exited;
    const answer = await get(proxy.baseUrl, '/readyz');
    assert.equal(answer.status, 503);
    assert.deepEqual(answer.body['failing'], ['store']);
    assert.equal((answer.body['checks'] as Record<string, string>)['store'], 'unavailable');
  });
});

describe('readiness with a supervised MCP server', () => {
  it('follows the supervisor: ready while it runs, not_running once stopped', async (t) => {
    const proxy = await startTestProxy({ supervisedMcp: {} });
    t.after(() => proxy.close());
    assert.equal((await get(proxy.baseUrl, '/readyz')).status, 200);
    await proxy.supervisor.stop(5_000);
    const answer = await get(proxy.baseUrl, '/readyz');
    assert.equal(answer.status, 503);
    assert.equal((answer.body['checks'] as Record<string, string>)['mcpServer'], 'not_running');
  });
});

describe('health routes come first', () => {
  it('answer plain-http probes that the HTTPS redirect would otherwise send away', async (t) => {
    const routes = createHealthRoutes({
      store: { ping: () => Promise.resolve() },
      mcpServers: [{ id: 'default', probe: { kind: 'per-session' } }],
      identityProvider: { metadata: () => ({ issuer: 'https://idp.example' }) },
      clock: systemClock,
      logger: silentLogger,
    });
    // Stands in for the request handler's HTTPS guard when LOCAL_INSECURE is false.
    const httpsGuard = (_req: IncomingMessage, res: ServerResponse): Promise<void> => {
      res.writeHead(302, { location: 'https://mcp.example/' }).end();
      return Promise.resolve();
    };
    const baseUrl = await serve(t, serveHealthRoutesFirst(routes, httpsGuard));
    assert.equal((await get(baseUrl, '/healthz')).status, 200);
    assert.equal((await get(baseUrl, '/readyz?verbose=1')).status, 200);
    assert.equal((await get(baseUrl, '/mcp')).status, 302);
  });
});

async function serve(
  t: TestContext,
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<string> {
  const server: Server = createServer((req, res) => void handler(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
    });
    if (accepted) return;
    await delay(50);
  }
  throw new Error(`nothing listens on port ${port}`);
}
