/**
 * The InvalidationBus contract (src/store/invalidation-bus.ts), for every
 * implementation: the store-polling bus on memory and on SQLite (two handles on
 * one file stand for two processes), and Redis pub/sub. Each "instance" is a
 * bus of its own on the shared backend.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../src/shared/clock.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import type { InvalidationBus, InvalidationListener } from '../../src/store/invalidation-bus.ts';
import type { KeyValueStore } from '../../src/store/key-value-store.ts';
import { createMemoryStore } from '../../src/store/memory/memory-store.ts';
import { createPollingInvalidationBus } from '../../src/store/polling-invalidation-bus.ts';
import { createRedisInvalidationBus } from '../../src/store/redis/redis-invalidation-bus.ts';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { freePort } from '../support/free-port.ts';
import { redisUrlOrSkip, uniqueRedisPrefix } from '../support/redis.ts';

/** Background delivery has no event to await: bounded polling, never a timed assertion. */
async function eventually(what: string, probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > giveUpAt) throw new Error(`gave up waiting for ${what}`);
    await sleep(20);
  }
}

class RecordingListener implements InvalidationListener {
  readonly messages: string[] = [];
  gaps = 0;
  message(message: string): void {
    this.messages.push(message);
  }
  gap(): void {
    this.gaps += 1;
  }
  /** What another instance may get for a message: the message itself, or a gap (polling). */
  heard(message: string, gapsBefore: number): boolean {
    return this.messages.includes(message) || this.gaps > gapsBefore;
  }
}

interface BusHarness {
  /** Opens one more instance on the shared backend. */
  open(): Promise<InvalidationBus>;
  /** Cuts the backend off from every instance (and, where possible, brings it back). */
  outage: { cut(): Promise<void>; restore?: () => Promise<void> };
  cleanup(): Promise<void>;
}

type OpenHarness = (t: TestContext) => Promise<BusHarness | undefined>;

const memoryHarness: OpenHarness = () => {
  const store = createMemoryStore({ clock: systemClock });
  const buses: InvalidationBus[] = [];
  return Promise.resolve({
    async open() {
      const bus = await createPollingInvalidationBus({ store, clock: systemClock, logger: silentLogger });
      buses.push(bus);
      return bus;
    },
    outage: { cut: () => store.close() },
    async cleanup() {
      for (const bus of buses) await bus.close();
      await store.close();
    },
  });
};

const sqliteHarness: OpenHarness = async () => {
  const directory = await mkdtemp(join(tmpdir(), 'invalidation-bus-'));
  const path = join(directory, 'store.db');
  const stores: KeyValueStore[] = [];
  const buses: InvalidationBus[] = [];
  return {
    async open() {
      // One store handle per instance: they meet only in the file, as separate processes would.
      const store = createSqliteStore({ path, clock: systemClock });
      stores.push(store);
      const bus = await createPollingInvalidationBus({ store, clock: systemClock, logger: silentLogger });
      buses.push(bus);
      return bus;
    },
    outage: {
      async cut() {
        for (const store of stores) await store.close();
      },
    },
    async cleanup() {
      for (const bus of buses) await bus.close();
      for (const store of stores) await store.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
};

const REDIS_SERVER = '/usr/bin/redis-server';

/** A private redis-server on a free port: the outage test stops it, so it is never the shared one. */
async function startPrivateRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
  });
  return child;
}

const redisHarness: OpenHarness = async (t) => {
  if ((await redisUrlOrSkip(t)) === undefined) return undefined;
  if (!existsSync(REDIS_SERVER)) {
    if (process.env['CI'] === 'true') throw new Error(`${REDIS_SERVER} is missing, and CI=true requires it`);
    t.skip(`no ${REDIS_SERVER}`);
    return undefined;
  }
  const port = await freePort();
  let server = await startPrivateRedis(port);
  const keyPrefix = uniqueRedisPrefix('bus');
  const buses: InvalidationBus[] = [];
  const stop = async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    server.kill('SIGKILL');
    await once(server, 'exit');
  };
  return {
    async open() {
      const bus = await createRedisInvalidationBus({
        topology: { kind: 'single', url: `redis://127.0.0.1:${port}` },
        keyPrefix,
        tlsRejectUnauthorized: true,
        clock: systemClock,
        logger: silentLogger,
      });
      buses.push(bus);
      return bus;
    },
    outage: {
      cut: stop,
      async restore() {
        server = await startPrivateRedis(port);
      },
    },
    async cleanup() {
      for (const bus of buses) await bus.close();
      await stop();
    },
  };
};

const BACKENDS: ReadonlyArray<readonly [string, OpenHarness]> = [
  ['polling on memory', memoryHarness],
  ['polling on sqlite', sqliteHarness],
  ['redis pub/sub', redisHarness],
];

for (const [name, openHarness] of BACKENDS) {
  const test = (title: string, body: (harness: BusHarness) => Promise<void>): void => {
    it(title, async (t) => {
      const harness = await openHarness(t);
      if (harness === undefined) return;
      try {
        await body(harness);
      } finally {
        await harness.cleanup();
      }
    });
  };

  describe(`InvalidationBus contract: ${name}`, () => {
    test('is listening once open, and delivers a message to its own listeners before publish resolves', async (h) => {
      const bus = await h.open();
      assert.equal(bus.isListening(), true);
      const listener = new RecordingListener();
      bus.subscribe(listener);
      const published = bus.publish('grant:g1');
      assert.deepEqual(listener.messages, ['grant:g1'], 'delivered here at once');
      await published;
    });

    test('another instance hears of a publish, as the message itself or as a gap', async (h) => {
      const first = await h.open();
      const second = await h.open();
      const listener = new RecordingListener();
      second.subscribe(listener);
      const gapsBefore = listener.gaps;
      await first.publish('token:abc');
      await eventually('the other instance to hear of it', () => listener.heard('token:abc', gapsBefore));
      assert.equal(second.isListening(), true);
    });

    test('stops delivering to a listener that unsubscribed, and stops listening once closed', async (h) => {
      const bus = await h.open();
      const listener = new RecordingListener();
      const unsubscribe = bus.subscribe(listener);
      unsubscribe();
      await bus.publish('grant:g2');
      assert.deepEqual(listener.messages, []);
      await bus.close();
      assert.equal(bus.isListening(), false);
    });

    test('reports a lost link as a gap and stops listening', async (h) => {
      const bus = await h.open();
      const listener = new RecordingListener();
      bus.subscribe(listener);
      const gapsBefore = listener.gaps;
      await h.outage.cut();
      await eventually(
        'the bus to notice the outage',
        () => !bus.isListening() && listener.gaps > gapsBefore,
      );
      const restore = h.outage.restore;
      if (restore === undefined) return;
      const gapsWhileDown = listener.gaps;
      await restore();
      // Whatever was published meanwhile is unknown: another gap when listening again.
      await eventually(
        'the bus to listen again',
        () => bus.isListening() && listener.gaps > gapsWhileDown,
        20_000,
      );
    });
  });
}
