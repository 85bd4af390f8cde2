import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exitCodeOf, signalExitCode } from '../../../src/supervisor/exit-code.ts';

describe('child exit status', () => {
  it('passes an exit code through unchanged, including 0', () => {
    assert.equal(exitCodeOf({ code: 3, signal: null }), 3);
    assert.equal(exitCodeOf({ code: 0, signal: null }), 0);
  });

  it('reports a signal death as 128 + the signal number, never as success', () => {
    assert.equal(exitCodeOf({ code: null, signal: 'SIGKILL' }), 137);
    assert.equal(exitCodeOf({ code: null, signal: 'SIGTERM' }), 143);
    assert.equal(signalExitCode('SIGINT'), 130);
  });

  it('reports a failure when Node gives neither a code nor a signal', () => {
    assert.equal(exitCodeOf({ code: null, signal: null }), 1);
  });
});
