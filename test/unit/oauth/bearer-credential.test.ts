import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readBearerCredential } from '../../../src/oauth/bearer-credential.ts';

describe('readBearerCredential (RFC 6750 §2.1)', () => {
  it('reads one b64token after the Bearer scheme, in any letter case', () => {
    assert.deepEqual(readBearerCredential('Bearer abc.DEF-123_~+/=='), {
      kind: 'token',
      token: 'abc.DEF-123_~+/==',
    });
    assert.deepEqual(readBearerCredential('bearer   tok'), { kind: 'token', token: 'tok' });
  });

  it('tells a missing header from another scheme and from a malformed Bearer value', () => {
    assert.equal(readBearerCredential(undefined).kind, 'missing');
    assert.equal(readBearerCredential('').kind, 'missing');
    assert.equal(readBearerCredential('Basic dXNlcjpwYXNz').kind, 'other_scheme');
    assert.equal(readBearerCredential('Bearertoken').kind, 'other_scheme');
    assert.equal(readBearerCredential('Bearer').kind, 'malformed');
    assert.equal(readBearerCredential('Bearer a b').kind, 'malformed');
    assert.equal(readBearerCredential('Bearer a,b').kind, 'malformed');
    assert.equal(readBearerCredential('Bearer =abc').kind, 'malformed');
  });
});
