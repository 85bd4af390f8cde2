import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identityClientOptionsFromEnvironment } from '../../../src/upstream-idp/from-environment.ts';
import { DEFAULT_IDENTITY_SCOPES, formatScope, parseScope } from '../../../src/upstream-idp/scope.ts';

describe('parseScope', () => {
  it('splits on spaces, commas, or both, as IDENTITY_SCOPE allows', () => {
    assert.deepEqual(parseScope('openid profile email'), ['openid', 'profile', 'email']);
    assert.deepEqual(parseScope('openid,profile,email'), ['openid', 'profile', 'email']);
    assert.deepEqual(parseScope(' openid, profile  ,email\t'), ['openid', 'profile', 'email']);
  });

  it('drops repeats, keeping the first occurrence order', () => {
    assert.deepEqual(parseScope('global openid global'), ['global', 'openid']);
  });

  it('returns nothing for an empty or absent value', () => {
    assert.deepEqual(parseScope(''), []);
    assert.deepEqual(parseScope(' , '), []);
    assert.deepEqual(parseScope(undefined), []);
  });

  it('accepts scopes already split, splitting any that still hold separators', () => {
    assert.deepEqual(parseScope(['openid', 'profile email']), ['openid', 'profile', 'email']);
  });

  it('writes scopes space separated (RFC 6749 §3.3)', () => {
    assert.equal(formatScope(['global', 'identity']), 'global identity');
  });
});

describe('identityClientOptionsFromEnvironment', () => {
  const env = {
    IDENTITY_CLIENT_ID: 'client',
    IDENTITY_CLIENT_SECRET: 'secret',
    IDENTITY_SERVER_URL: 'https://id.heroku.com',
    IDENTITY_REDIRECT_URI: 'https://proxy.example.com/interaction/identity/callback',
    IDENTITY_SCOPE: 'global',
  };

  it('maps the IDENTITY_* variables of the Heroku adapter', () => {
    const options = identityClientOptionsFromEnvironment(env);
    assert.equal(options.clientId, 'client');
    assert.equal(options.clientSecret, 'secret');
    assert.equal(options.serverUrl, 'https://id.heroku.com');
    assert.equal(options.redirectUri, 'https://proxy.example.com/interaction/identity/callback');
    assert.deepEqual(options.scope, ['global']);
  });

  it('uses the default scopes when IDENTITY_SCOPE is unset or empty', () => {
    assert.deepEqual(
      identityClientOptionsFromEnvironment({ ...env, IDENTITY_SCOPE: '' }).scope,
      DEFAULT_IDENTITY_SCOPES,
    );
    assert.deepEqual(identityClientOptionsFromEnvironment({ ...env, IDENTITY_SCOPE: undefined }).scope, [
      'openid',
      'profile',
      'email',
    ]);
  });

  it('uses defaultScopes when given and IDENTITY_SCOPE is unset', () => {
    const options = identityClientOptionsFromEnvironment(
      { ...env, IDENTITY_SCOPE: undefined },
      { defaultScopes: ['identity'] },
    );
    assert.deepEqual(options.scope, ['identity']);
  });

  it('passes IDENTITY_SERVER_METADATA_FILE, IDENTITY_TIMEOUT_MS and NODE_ENV through', () => {
    const options = identityClientOptionsFromEnvironment({
      ...env,
      IDENTITY_SERVER_METADATA_FILE: '/app/idp.json',
      IDENTITY_TIMEOUT_MS: '2500',
      NODE_ENV: 'production',
    });
    assert.equal(options.metadataFile, '/app/idp.json');
    assert.equal(options.timeoutMs, 2500);
    assert.equal(options.nodeEnv, 'production');
  });

  it('treats blank variables as unset', () => {
    const options = identityClientOptionsFromEnvironment({
      ...env,
      IDENTITY_CLIENT_SECRET: '  ',
      IDENTITY_TIMEOUT_MS: '',
    });
    assert.equal(options.clientSecret, undefined);
    assert.equal(options.timeoutMs, undefined);
  });
});
