import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DependencyUnavailableError } from '../../../src/http-kit/dependency-unavailable-error.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import type { KeyValueStore } from '../../../src/store/key-value-store.ts';
import { createRedisStore, RECONNECT_FIRST_DELAY_MS } from '../../../src/store/redis/redis-store.ts';

const REDIS_SERVER = '/usr/bin/redis-server';
const PASSWORD = 'outage-test-password';
const SERVER_START_LIMIT_MS = 10_000;
const RECOVERY_LIMIT_MS = 15_000;

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Like redisUrlOrSkip: skipped loudly without a redis-server binary, but a failure under CI=true. */
function redisServerOrSkip(t: TestContext): boolean {
  if (existsSync(REDIS_SERVER)) return true;
  if (process.env.CI === 'true') throw new Error(`${REDIS_SERVER} is missing, and CI=true requires it`);
  process.stderr.write(
    `\n!!! SKIPPED: no ${REDIS_SERVER}; install redis-server to run the outage tests !!!\n\n`,
  );
  t.skip(`no ${REDIS_SERVER}`);
  return false;
}

/** A private redis-server, never the shared one: this test stops it. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    REDIS_SERVER,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--requirepass',
      PASSWORD,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
      timer = setTimeout(
        () => reject(new Error(`redis-server did not start: ${output}`)),
        SERVER_START_LIMIT_MS,
      );
    });
  } finally {
    clearTimeout(timer);
  }
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** Polls until the store answers again: recovery happens in the background, at the backoff's pace. */
async function waitUntilAnswering(store: KeyValueStore): Promise<void> {
  const deadline = Date.now() + RECOVERY_LIMIT_MS;
  for (;;) {
    try {
      await store.ping();
      return;
    } catch (error) {
      assert.ok(error instanceof DependencyUnavailableError, `unexpected ${String(error)}`);
      if (Date.now() > deadline) throw new Error('the store did not recover after Redis came back');
      await sleep(RECONNECT_FIRST_DELAY_MS);
    }
  }
}

function captureLogs() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level: 'info', appName: 'test', environment: 'test', destination });
  const events = (name: string) =>
    lines.filter((line) => (JSON.parse(line) as { event?: string }).event === name);
  return { logger, lines, events };
}

async function assertEveryOperationFailsFast(store: KeyValueStore): Promise<void> {
  const unavailable = (operation: Promise<unknown>) => assert.rejects(operation, DependencyUnavailableError);
  await unavailable(store.get('k'));
  await unavailable(store.set('k', 'v', { ttlMs: 1_000 }));
  await unavailable(store.setIfAbsent('k', 'v'));
  await unavailable(store.take('k'));
  await unavailable(store.delete('k'));
  await unavailable(store.addToSet('s', 'm', { ttlMs: 1_000 }));
  await unavailable(store.members('s'));
  await unavailable(store.increment('c', 1_000));
  await unavailable(store.ping());
  await unavailable(
    (async () => {
      for await (const key of store.keys('')) void key;
    })(),
  );
}

async function useStore(t: TestContext, port: number, logger = captureLogs().logger): Promise<KeyValueStore> {
  const store = await createRedisStore({
    topology: { kind: 'single', url: `redis://:${PASSWORD}@127.0.0.1:${port}/1` },
    keyPrefix: 'outage-test:',
    tlsRejectUnauthorized: true,
    logger,
  });
  t.after(() => store.close());
  return store;
}

describe('Redis store during a Redis outage', () => {
  it('fails fast with DependencyUnavailableError while Redis is down and recovers with the same store object', async (t) => {
    if (!redisServerOrSkip(t)) return;
    const port = await freePort();
    let redis = await startRedis(port);
    t.after(() => stopRedis(redis));
    const logs = captureLogs();
    const store = await useStore(t, port, logs.logger);
    await store.set('before', 'outage');
    assert.equal(await store.get('before'), 'outage');

    await stopRedis(redis);
    await assertEveryOperationFailsFast(store);
    // Let several reconnect attempts fail: the outage is still logged once.
    await sleep(RECONNECT_FIRST_DELAY_MS * 8);
    await assertEveryOperationFailsFast(store);
    assert.equal(logs.events('store.unavailable').length, 1, logs.lines.join('\n'));

    redis = await startRedis(port);
    await waitUntilAnswering(store);
    await store.set('after', 'outage');
    assert.equal(await store.get('after'), 'outage');
    assert.equal((await store.increment('hits', 60_000)).count, 1);
    assert.equal(logs.events('store.recovered').length, 1, logs.lines.join('\n'));

    await store.close();
    assert.equal(logs.events('store.unavailable').length, 1, 'closing is not logged as an outage');
    assert.ok(!logs.lines.join('\n').includes(PASSWORD), 'the Redis password is never logged');
  });

  it('opens while Redis is down, fails fast, and works once Redis starts', async (t) => {
    if (!redisServerOrSkip(t)) return;
    const port = await freePort();
    const store = await useStore(t, port);
    await assertEveryOperationFailsFast(store);

    const redis = await startRedis(port);
    t.after(() => stopRedis(redis));
    await waitUntilAnswering(store);
    assert.equal(await store.setIfAbsent('lock', 'mine', { ttlMs: 60_000 }), true);
    assert.equal(await store.take('lock'), 'mine');
  });
});
