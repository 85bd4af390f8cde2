/**
 * Redis goes away under a running proxy: every request that needs it gets a
 * retryable 503 (never a 500, never a hang), and once Redis is back the same
 * proxy process serves the same grants again. Each test runs its own
 * redis-server on a free port; the shared one is never touched.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { freePort } from '../../support/free-port.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { uniqueRedisPrefix } from '../../support/redis.ts';
import {
  assertTemporarilyUnavailable,
  connectMcp,
  eventually,
  initializeRaw,
  logIn,
  postMcp,
  textOf,
  type LoggedIn,
} from './proxy-steps.ts';

const REDIS_SERVER = '/usr/bin/redis-server';
/** A request during the outage must be answered well within this (the store gives up after 2 s). */
const ANSWER_DEADLINE_MS = 15_000;

interface OwnRedis {
  readonly url: string;
  readonly port: number;
  process: ChildProcess;
}

function redisServerOrSkip(t: TestContext): boolean {
  if (existsSync(REDIS_SERVER)) return true;
  if (process.env['CI'] === 'true') throw new Error(`${REDIS_SERVER} is missing, and CI=true requires it`);
  process.stderr.write(
    `\n!!! SKIPPED: no ${REDIS_SERVER}; install redis-server to run the outage tests !!!\n\n`,
  );
  t.skip(`no ${REDIS_SERVER}`);
  return false;
}

async function answersPing(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => {
      socket.write('PING\r\n');
      socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    });
  });
}

function spawnRedis(port: number, persistence: readonly string[]): ChildProcess {
  return spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', ...persistence], {
    stdio: 'ignore',
  });
}

/**
 * A private redis-server. `persistence` defaults to none (`--save '' --appendonly no`); the
 * restart test passes an append-only file in a temporary directory instead.
 */
async function startOwnRedis(
  t: TestContext,
  persistence: readonly string[] = ['--save', '', '--appendonly', 'no'],
) {
  const port = await freePort();
  const redis: OwnRedis = { url: `redis://127.0.0.1:${port}`, port, process: spawnRedis(port, persistence) };
  t.after(() => {
    // SIGKILL ends a stopped (SIGSTOP) process too.
    if (redis.process.exitCode === null && redis.process.signalCode === null) redis.process.kill('SIGKILL');
  });
  await eventually('the private redis-server to answer', async () =>
    (await answersPing(port)) ? true : undefined,
  );
  return {
    redis,
    restart: async () => {
      redis.process = spawnRedis(port, persistence);
      await eventually('the restarted redis-server to answer', async () =>
        (await answersPing(port)) ? true : undefined,
      );
    },
  };
}

async function startProxyOn(t: TestContext, url: string): Promise<TestProxy> {
  const proxy = await startTestProxy({ store: { kind: 'redis', url, prefix: uniqueRedisPrefix('outage') } });
  t.after(() => proxy.close());
  return proxy;
}

async function refreshAtProxy(proxy: TestProxy, user: LoggedIn, refreshToken: string): Promise<Response> {
  return await fetch(`${proxy.baseUrl}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: user.oauth.clientInformation()?.client_id ?? '',
    }).toString(),
    signal: AbortSignal.timeout(ANSWER_DEADLINE_MS),
  });
}

/**
 * While Redis cannot answer: MCP and /token get a 503 with Retry-After, and the server stays up.
 * Token checks already made are served from memory only while the invalidation bus vouches for
 * them; it stops within about a second of Redis going quiet (src/access-cache/). Until then a
 * request may still pass, so the first 503 is polled for, and nothing in between may be a 500.
 */
async function assertOutageAnswers(proxy: TestProxy, user: LoggedIn): Promise<void> {
  const refused = await eventually(
    'the proxy to notice the outage',
    async () => {
      const response = await initializeRaw(proxy.mcpUrl, user.tokens.access_token);
      if (response.status === 503) return response;
      const text = await response.text();
      assert.equal(response.status, 200, text);
      return undefined;
    },
    { timeoutMs: ANSWER_DEADLINE_MS },
  );
  await assertTemporarilyUnavailable(refused);
  await assertTemporarilyUnavailable(
    await postMcp(proxy.mcpUrl, user.tokens.access_token, { id: 1, method: 'tools/list' }),
  );

  const refreshed = await refreshAtProxy(proxy, user, user.tokens.refresh_token ?? '');
  const body = await refreshed.text();
  assert.equal(refreshed.status, 503, body);
  assert.match(refreshed.headers.get('retry-after') ?? '', /^\d+$/);
  assert.equal((JSON.parse(body) as { error: string }).error, 'temporarily_unavailable');

  assert.equal(proxy.app.server.listening, true, 'the proxy is still up');
  const failures = proxy.logs.filter((line) => line['status'] === 500 || line['event'] === 'proxy.error');
  assert.deepEqual(failures, [], 'an outage is not a server error');
}

/** After the outage: the same access token, the same MCP session and the same refresh token work. */
async function assertServingAgain(proxy: TestProxy, user: LoggedIn): Promise<void> {
  await eventually('the proxy to serve again', async () => {
    const response = await initializeRaw(proxy.mcpUrl, user.tokens.access_token);
    await response.arrayBuffer();
    if (response.status === 503) return undefined;
    assert.equal(response.status, 200, 'the access token survived the outage');
    return true;
  });
  const { client } = await connectMcp(proxy.mcpUrl, user.oauth);
  assert.equal(textOf(await client.callTool({ name: 'whoami', arguments: {} })), 'alice');
  await client.close();
  const refreshed = await refreshAtProxy(proxy, user, user.tokens.refresh_token ?? '');
  assert.equal(refreshed.status, 200, 'the refresh token survived the outage');
  await refreshed.arrayBuffer();
}

describe('the proxy during a Redis outage', () => {
  it('answers 503 while Redis hangs (SIGSTOP) and serves the same grants after SIGCONT', async (t) => {
    if (!redisServerOrSkip(t)) return;
    const { redis } = await startOwnRedis(t);
    const proxy = await startProxyOn(t, redis.url);
    const alice = await logIn(proxy.mcpUrl, 'alice');
    const { client } = await connectMcp(proxy.mcpUrl, alice.oauth);
    assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { text: 'before' } })), 'before');

    // A hung Redis keeps its TCP connection and its data: the hardest outage to notice.
    // The store gives up on each command after 2 s, so an outage of a few seconds is
    // answered exactly as a longer one would be.
    redis.process.kill('SIGSTOP');
    t.after(() => void redis.process.kill('SIGCONT'));
    await assertOutageAnswers(proxy, alice);
    // The open MCP session gets the same answer through the SDK client, as an error, not a hang.
    await assert.rejects(
      client.callTool({ name: 'echo', arguments: { text: 'during' } }),
      /503|unavailable/i,
    );

    redis.process.kill('SIGCONT');
    await assertServingAgain(proxy, alice);
    assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { text: 'after' } })), 'after');
    await client.close();
  });

  it('answers 503 while Redis is gone and reconnects by itself when it is back on the same port', async (t) => {
    if (!redisServerOrSkip(t)) return;
    // This server keeps an append-only file (in a temporary directory), so that a real restart keeps the grants.
    const dir = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-redis-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const { redis, restart } = await startOwnRedis(t, [
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
    ]);
    const proxy = await startProxyOn(t, redis.url);
    const alice = await logIn(proxy.mcpUrl, 'alice');

    const killed = new Promise((resolve) => redis.process.once('exit', resolve));
    redis.process.kill('SIGKILL');
    await killed;
    await assertOutageAnswers(proxy, alice);

    await restart();
    await assertServingAgain(proxy, alice);
    const events = proxy.logs.map((line) => line['event']);
    assert.ok(events.includes('store.unavailable'), events.join(', '));
    assert.ok(events.includes('store.recovered'), events.join(', '));
  });
});
