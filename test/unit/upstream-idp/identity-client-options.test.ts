import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createIdentityClient, fromEnvironment } from '../../../src/upstream-idp/index.ts';
import { IdentityConfigurationError } from '../../../src/upstream-idp/identity-provider-error.ts';
import { resolveIdentityClientOptions } from '../../../src/upstream-idp/identity-client-options.ts';
import { chooseTokenEndpointAuthMethod } from '../../../src/upstream-idp/provider-configuration.ts';

const valid = {
  clientId: 'client',
  clientSecret: 'secret',
  serverUrl: 'https://idp.example.com',
  redirectUri: 'https://proxy.example.com/interaction/identity/callback',
  nodeEnv: 'test',
};

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof IdentityConfigurationError);
    return error.problems;
  }
  assert.fail('expected an IdentityConfigurationError');
}

describe('resolveIdentityClientOptions', () => {
  it('applies the defaults: openid profile email, 10 s per call, 10 min per pending login', () => {
    const resolved = resolveIdentityClientOptions(valid);
    assert.deepEqual(resolved.scopes, ['openid', 'profile', 'email']);
    assert.equal(resolved.timeoutMs, 10_000);
    assert.equal(resolved.pkceStateTtlMs, 600_000);
    assert.equal(resolved.source.kind, 'discovery');
  });

  it('lists every problem at once', () => {
    const problems = problemsOf(() =>
      resolveIdentityClientOptions({ clientId: '', redirectUri: 'not a url', timeoutMs: 0, nodeEnv: 'test' }),
    );
    assert.equal(problems.length, 4);
    assert.match(problems.join('\n'), /IDENTITY_CLIENT_ID/);
    assert.match(problems.join('\n'), /IDENTITY_SERVER_URL/);
    assert.match(problems.join('\n'), /IDENTITY_REDIRECT_URI/);
    assert.match(problems.join('\n'), /IDENTITY_TIMEOUT_MS/);
  });

  it('refuses a redirect URI with a query or a fragment, so the token request can repeat it exactly', () => {
    assert.equal(
      problemsOf(() => resolveIdentityClientOptions({ ...valid, redirectUri: 'https://p.example/cb?x=1' }))
        .length,
      1,
    );
    assert.equal(
      problemsOf(() => resolveIdentityClientOptions({ ...valid, redirectUri: 'https://p.example/cb#f' }))
        .length,
      1,
    );
  });

  it('refuses an http IdP unless allowInsecureHttp is set', () => {
    assert.equal(
      problemsOf(() => resolveIdentityClientOptions({ ...valid, serverUrl: 'http://idp.local' })).length,
      1,
    );
    const resolved = resolveIdentityClientOptions({
      ...valid,
      serverUrl: 'http://idp.local',
      allowInsecureHttp: true,
    });
    assert.equal(resolved.source.kind, 'discovery');
  });

  it('refuses custom parameters that would replace the ones the client sets', () => {
    const problems = problemsOf(() =>
      resolveIdentityClientOptions({
        ...valid,
        customParameters: { audience: 'api', state: 'x', code_challenge: 'y' },
      }),
    );
    assert.equal(problems.length, 2);
  });

  it('prefers static metadata, then a metadata file, then discovery', () => {
    const serverMetadata = {
      issuer: 'https://idp.example.com',
      authorization_endpoint: 'https://idp.example.com/authorize',
      token_endpoint: 'https://idp.example.com/token',
    };
    assert.equal(
      resolveIdentityClientOptions({ ...valid, serverMetadata, metadataFile: '/x.json' }).source.kind,
      'static',
    );
    assert.equal(resolveIdentityClientOptions({ ...valid, metadataFile: '/x.json' }).source.kind, 'file');
  });

  it('refuses static metadata without the endpoints the client needs', () => {
    const problems = problemsOf(() =>
      resolveIdentityClientOptions({
        ...valid,
        serverMetadata: { issuer: 'https://idp.example.com' } as never,
      }),
    );
    assert.deepEqual(problems, [
      'serverMetadata.authorization_endpoint must be an absolute https URL',
      'serverMetadata.token_endpoint must be an absolute https URL',
    ]);
  });

  it('refuses a Basic or post client authentication without a secret', () => {
    const problems = problemsOf(() =>
      resolveIdentityClientOptions({
        ...valid,
        clientSecret: undefined,
        tokenEndpointAuthMethod: 'client_secret_basic',
      }),
    );
    assert.equal(problems.length, 1);
  });

  it('refuses a storage hook that lacks the Heroku adapter methods', () => {
    const problems = problemsOf(() => resolveIdentityClientOptions({ ...valid, storageHook: {} as never }));
    assert.match(problems[0] ?? '', /storePKCEState, retrievePKCEState and cleanupExpiredState/);
  });
});

describe('the in-memory storage fallback', () => {
  it('is refused when NODE_ENV is production and no storage hook is given', () => {
    const problems = problemsOf(() => createIdentityClient({ ...valid, nodeEnv: 'production' }));
    assert.match(problems[0] ?? '', /storageHook is required when NODE_ENV=production/);
  });

  it('is refused by fromEnvironment when the environment says production', () => {
    const env = {
      IDENTITY_CLIENT_ID: 'client',
      IDENTITY_SERVER_URL: 'https://idp.example.com',
      IDENTITY_REDIRECT_URI: 'https://proxy.example.com/cb',
      NODE_ENV: 'production',
    };
    assert.throws(() => fromEnvironment({ env }), IdentityConfigurationError);
  });

  it('is used outside production', () => {
    assert.equal(typeof createIdentityClient(valid).generateAuthUrl, 'function');
  });
});

describe('chooseTokenEndpointAuthMethod', () => {
  it('uses HTTP Basic by default when there is a secret (RFC 8414 §2 default)', () => {
    assert.equal(chooseTokenEndpointAuthMethod(undefined, 'secret', undefined), 'client_secret_basic');
    assert.equal(
      chooseTokenEndpointAuthMethod(undefined, 'secret', ['client_secret_basic', 'client_secret_post']),
      'client_secret_basic',
    );
  });

  it('uses client_secret_post when that is all the IdP lists', () => {
    assert.equal(
      chooseTokenEndpointAuthMethod(undefined, 'secret', ['client_secret_post']),
      'client_secret_post',
    );
  });

  it('uses none without a secret and honours an explicit choice', () => {
    assert.equal(chooseTokenEndpointAuthMethod(undefined, undefined, ['client_secret_basic']), 'none');
    assert.equal(
      chooseTokenEndpointAuthMethod('client_secret_post', 'secret', undefined),
      'client_secret_post',
    );
  });
});
