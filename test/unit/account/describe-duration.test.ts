import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeDuration } from '../../../src/account/describe-duration.ts';

describe('describeDuration', () => {
  it('names a lifetime in its largest whole unit', () => {
    assert.equal(describeDuration(3600), 'an hour');
    assert.equal(describeDuration(7200), '2 hours');
    assert.equal(describeDuration(900), '15 minutes');
    assert.equal(describeDuration(5400), '90 minutes');
    assert.equal(describeDuration(86_400), 'a day');
    assert.equal(describeDuration(60), 'a minute');
    assert.equal(describeDuration(45), '45 seconds');
    assert.equal(describeDuration(1), 'a second');
  });
});
