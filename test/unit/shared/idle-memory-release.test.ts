import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createIdleMemoryCheck,
  GROWN_YOUNG_GENERATION_BYTES,
  QUIET_CHECKS_BEFORE_RELEASE,
  QUIET_UTILIZATION,
  startIdleMemoryRelease,
} from '../../../src/shared/idle-memory-release.ts';

const MIB = 1024 * 1024;

/** A process whose loop utilization and young generation the test sets between checks. */
function fakeProcess() {
  const state = { utilization: 0, youngBytes: 2 * MIB, releases: 0 };
  const check = createIdleMemoryCheck({
    utilizationSinceLastCheck: () => state.utilization,
    youngGenerationBytes: () => state.youngBytes,
    release: () => {
      state.releases += 1;
      state.youngBytes = 2 * MIB;
    },
  });
  return { state, check };
}

describe('idle memory release', () => {
  it('releases once the process has been quiet for the checks it needs after load grew the young generation', () => {
    const { state, check } = fakeProcess();
    state.utilization = 0.8;
    state.youngBytes = 16 * MIB;
    check.check();
    state.utilization = QUIET_UTILIZATION / 2;
    for (let quiet = 1; quiet < QUIET_CHECKS_BEFORE_RELEASE; quiet += 1) check.check();
    assert.equal(state.releases, 0);
    check.check();
    assert.equal(state.releases, 1);
  });

  it('does not release again while the young generation has not grown back', () => {
    const { state, check } = fakeProcess();
    state.youngBytes = 16 * MIB;
    for (let quiet = 0; quiet < QUIET_CHECKS_BEFORE_RELEASE * 5; quiet += 1) check.check();
    assert.equal(state.releases, 1);
    state.youngBytes = GROWN_YOUNG_GENERATION_BYTES;
    for (let quiet = 0; quiet < QUIET_CHECKS_BEFORE_RELEASE * 5; quiet += 1) check.check();
    assert.equal(state.releases, 1);
  });

  it('waits while the process is busy, and counts quiet checks again from the last busy one', () => {
    const { state, check } = fakeProcess();
    state.youngBytes = 16 * MIB;
    for (let round = 0; round < 5; round += 1) {
      state.utilization = 0;
      for (let quiet = 1; quiet < QUIET_CHECKS_BEFORE_RELEASE; quiet += 1) check.check();
      state.utilization = QUIET_UTILIZATION;
      check.check();
    }
    assert.equal(state.releases, 0);
  });

  it('collects with a gc taken from a fresh context, never a global of this process', () => {
    const release = startIdleMemoryRelease();
    assert.notEqual(release, undefined);
    release?.stop();
    assert.equal((globalThis as { gc?: unknown }).gc, undefined);
  });
});
