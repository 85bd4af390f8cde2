import { Socket } from 'node:net';
import type { TestContext } from 'node:test';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

async function answers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return await new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(port || 6379), hostname, () => {
      socket.write('PING\r\n');
      socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    });
  });
}

let probe: Promise<boolean> | undefined;

/**
 * The Redis that tests use for real (REDIS_URL, default 127.0.0.1:6379).
 * Where none answers the test is skipped with a loud notice, except under
 * CI=true, where that is a failure: CI must never silently skip the Redis half.
 */
export async function redisUrlOrSkip(t: TestContext): Promise<string | undefined> {
  const url = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  probe ??= answers(url);
  if (await probe) return url;
  if (process.env.CI === 'true') throw new Error(`Redis does not answer at ${url}, and CI=true requires it`);
  process.stderr.write(
    `\n!!! SKIPPED: no Redis answers at ${url}; set REDIS_URL to run the Redis tests !!!\n\n`,
  );
  t.skip(`no Redis at ${url}`);
  return undefined;
}

/** A key prefix unique to one test run, so suites can share one Redis side by side. */
export function uniqueRedisPrefix(label: string): string {
  return `test:${label}:${process.pid}:${Date.now().toString(36)}:${Math.random().toString(36).slice(2, 8)}:`;
}
