import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createIdleMemoryCheck,
  GROWN_RESIDENT_BYTES,
  QUIET_CHECKS_BEFORE_RELEASE,
  QUIET_UTILIZATION,
  collectReducingMemory,
  startIdleMemoryRelease,
} from '../../../src/shared/idle-memory-release.ts';

const MIB = 1024 * 1024;

/** A process whose loop utilization and resident size the test sets between checks. */
function fakeProcess() {
  const state = { utilization: 0, residentBytes: 110 * MIB, releases: 0 };
  const check = createIdleMemoryCheck({
    utilizationSinceLastCheck: () => state.utilization,
    residentBytes: () => state.residentBytes,
    release: () => {
      state.releases += 1;
      state.residentBytes = 98 * MIB;
    },
  });
  const quietFor = (checks: number) => {
    state.utilization = QUIET_UTILIZATION / 2;
    for (let quiet = 0; quiet < checks; quiet += 1) check.check();
  };
  return { state, check, quietFor };
}

describe('idle memory release', () => {
  it('releases once the process has been quiet for the checks it needs', () => {
    const { state, check, quietFor } = fakeProcess();
    state.utilization = 0.8;
    check.check();
    quietFor(QUIET_CHECKS_BEFORE_RELEASE - 1);
    assert.equal(state.releases, 0);
    quietFor(1);
    assert.equal(state.releases, 1);
  });

  it('releases again only once the process has grown by the threshold since the last release', () => {
    const { state, quietFor } = fakeProcess();
    quietFor(QUIET_CHECKS_BEFORE_RELEASE);
    assert.equal(state.releases, 1);
    state.residentBytes = 98 * MIB + GROWN_RESIDENT_BYTES - 1;
    quietFor(QUIET_CHECKS_BEFORE_RELEASE * 5);
    assert.equal(state.releases, 1);
    state.residentBytes = 98 * MIB + GROWN_RESIDENT_BYTES;
    quietFor(QUIET_CHECKS_BEFORE_RELEASE);
    assert.equal(state.releases, 2);
  });

  it('waits while the process is busy, and counts quiet checks again from the last busy one', () => {
    const { state, check, quietFor } = fakeProcess();
    for (let round = 0; round < 5; round += 1) {
      quietFor(QUIET_CHECKS_BEFORE_RELEASE - 1);
      state.utilization = QUIET_UTILIZATION;
      check.check();
    }
    assert.equal(state.releases, 0);
  });

  it('collects with a gc taken from a context of its own, never a global of this process', () => {
    const ballast: unknown[] = [];
    for (let index = 0; index < 100_000; index += 1) ballast.push({ index });
    ballast.length = 0;
    const usedBefore = process.memoryUsage().heapUsed;
    collectReducingMemory();
    assert.ok(process.memoryUsage().heapUsed < usedBefore);
    assert.equal((globalThis as { gc?: unknown }).gc, undefined);
    startIdleMemoryRelease().stop();
  });
});
