import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  normalizeTokenResponse,
  userIdFromTokenResponse,
} from '../../../src/upstream-idp/normalize-tokens.ts';

const context = { nowSeconds: 1_900_000_000, requestedScopes: ['openid', 'profile'] };

describe('userIdFromTokenResponse', () => {
  it('prefers the id_token sub over user_id and id', () => {
    const raw = { access_token: 'at', user_id: 'heroku-user', id: 'https://login.salesforce.com/id/00D/005' };
    assert.equal(userIdFromTokenResponse(raw, 'oidc-subject'), 'oidc-subject');
  });

  it('uses Heroku user_id when there is no id_token', () => {
    assert.equal(
      userIdFromTokenResponse({ access_token: 'at', user_id: 'u-1', id: 'other' }, undefined),
      'u-1',
    );
  });

  it('uses Salesforce id when there is neither id_token nor user_id', () => {
    const id = 'https://login.salesforce.com/id/00Dxx0000001gPL/005xx000001Sv6e';
    assert.equal(userIdFromTokenResponse({ access_token: 'at', id }, undefined), id);
  });

  it('accepts a numeric id as its decimal string', () => {
    assert.equal(userIdFromTokenResponse({ access_token: 'at', user_id: 42 }, undefined), '42');
  });

  it('ignores empty and non-scalar ids so that userinfo gets a chance', () => {
    assert.equal(
      userIdFromTokenResponse({ access_token: 'at', user_id: '', id: { nested: true } }, ''),
      undefined,
    );
  });
});

describe('normalizeTokenResponse', () => {
  it('keeps every provider-specific field as extras and nothing standard', () => {
    const tokens = normalizeTokenResponse(
      {
        access_token: 'at',
        token_type: 'bearer',
        refresh_token: 'rt',
        expires_in: 3600,
        scope: 'api refresh_token',
        instance_url: 'https://example.my.salesforce.com',
        id: 'https://login.salesforce.com/id/00D/005',
        signature: 'c2lnbmF0dXJl',
        issued_at: '1700000000000',
      },
      context,
    );
    assert.deepEqual(tokens.extras, {
      instance_url: 'https://example.my.salesforce.com',
      id: 'https://login.salesforce.com/id/00D/005',
      signature: 'c2lnbmF0dXJl',
      issued_at: '1700000000000',
    });
    assert.equal(tokens.accessToken, 'at');
    assert.equal(tokens.refreshToken, 'rt');
  });

  it('keeps Heroku user_id and session_nonce as extras', () => {
    const tokens = normalizeTokenResponse(
      { access_token: 'at', token_type: 'Bearer', user_id: 'u-1', session_nonce: 'sn' },
      context,
    );
    assert.deepEqual(tokens.extras, { user_id: 'u-1', session_nonce: 'sn' });
  });

  it('computes expiresAt in epoch seconds from expires_in and the clock', () => {
    const tokens = normalizeTokenResponse({ access_token: 'at', expires_in: 7200 }, context);
    assert.equal(tokens.expiresIn, 7200);
    assert.equal(tokens.expiresAt, 1_900_007_200);
  });

  it('leaves expiresAt out when the IdP gives no lifetime (GitHub OAuth apps)', () => {
    const tokens = normalizeTokenResponse({ access_token: 'at' }, context);
    assert.equal('expiresAt' in tokens, false);
    assert.equal('expiresIn' in tokens, false);
  });

  it('rejoins a comma-separated scope with spaces', () => {
    assert.equal(
      normalizeTokenResponse({ access_token: 'at', scope: 'repo,read:user' }, context).scope,
      'repo read:user',
    );
  });

  it('reports the requested scopes when the response omits scope (RFC 6749 §5.1)', () => {
    assert.equal(normalizeTokenResponse({ access_token: 'at' }, context).scope, 'openid profile');
  });

  it('keeps the previous refresh token when the IdP does not rotate it', () => {
    const tokens = normalizeTokenResponse(
      { access_token: 'at2' },
      { ...context, previousRefreshToken: 'rt1' },
    );
    assert.equal(tokens.refreshToken, 'rt1');
  });

  it('takes the new refresh token when the IdP rotates it', () => {
    const tokens = normalizeTokenResponse(
      { access_token: 'at2', refresh_token: 'rt2' },
      { ...context, previousRefreshToken: 'rt1' },
    );
    assert.equal(tokens.refreshToken, 'rt2');
  });

  it('writes the token type with RFC 6750 capitalisation', () => {
    assert.equal(
      normalizeTokenResponse({ access_token: 'at', token_type: 'bearer' }, context).tokenType,
      'Bearer',
    );
    assert.equal(
      normalizeTokenResponse({ access_token: 'at', token_type: 'DPOP' }, context).tokenType,
      'DPoP',
    );
    assert.equal(normalizeTokenResponse({ access_token: 'at' }, context).tokenType, 'Bearer');
  });
});
