import type { TestContext } from 'node:test';
import { redisBinariesOrSkip } from './redis-processes.ts';

/** A topology started by the first test that needs it and stopped once, after the file. */
export interface SharedTopology<T> {
  /** The running topology, or undefined when the test was skipped (no redis-server outside CI). */
  get(t: TestContext): Promise<T | undefined>;
  stop(): Promise<void>;
}

/** Starts `start()` at most once per test file: a topology takes seconds, a contract case milliseconds. */
export function sharedTopology<T extends { stop(): Promise<void> }>(
  what: string,
  start: () => Promise<T>,
): SharedTopology<T> {
  let started: Promise<T> | undefined;
  return {
    async get(t) {
      if (!redisBinariesOrSkip(t, what)) return undefined;
      started ??= start();
      return await started;
    },
    async stop() {
      const running = await started?.catch(() => undefined);
      await running?.stop();
    },
  };
}
