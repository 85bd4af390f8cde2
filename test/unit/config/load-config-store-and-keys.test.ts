import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadOk, loadProblems, MINIMAL_ENV, privateJwk, problemFor } from './config-fixtures.ts';

const REDIS_ENV = { ...MINIMAL_ENV, MCP_AUTH_PROXY_REDIS_URL: 'rediss://:s3cret-pass@redis.internal:6380' };
const HEX_KEY = '0123456789abcdef'.repeat(4);

describe('loadConfig storage', () => {
  it('uses the embedded SQLite file resolved against the working directory without a Redis URL', () => {
    const { config } = loadOk(
      { ...MINIMAL_ENV, MCP_AUTH_PROXY_SQLITE_PATH: 'data/proxy.sqlite' },
      '/srv/app',
    );
    assert.deepEqual(config.store, { kind: 'sqlite', path: '/srv/app/data/proxy.sqlite' });
    assert.deepEqual(config.keys.encryptionKey, {
      kind: 'generated-file',
      path: '/srv/app/data/encryption.key',
    });
  });

  it('uses Redis with the Heroku defaults: prefix oidc: and no TLS verification', () => {
    const { config } = loadOk({ ...REDIS_ENV, MCP_AUTH_PROXY_ENCRYPTION_KEY: HEX_KEY });
    assert.deepEqual(config.store, {
      kind: 'redis',
      topology: { kind: 'single', url: 'rediss://:s3cret-pass@redis.internal:6380' },
      keyPrefix: 'oidc:',
      tlsRejectUnauthorized: false,
    });
  });

  it('turns on TLS verification and a custom prefix when asked', () => {
    const { config } = loadOk({
      ...REDIS_ENV,
      MCP_AUTH_PROXY_ENCRYPTION_KEY: HEX_KEY,
      MCP_AUTH_PROXY_REDIS_PREFIX: 'proxy:',
      MCP_AUTH_PROXY_REDIS_TLS_REJECT_UNAUTHORIZED: 'true',
    });
    assert.equal(config.store.kind === 'redis' && config.store.keyPrefix, 'proxy:');
    assert.equal(config.store.kind === 'redis' && config.store.tlsRejectUnauthorized, true);
  });

  it('refuses a Redis URL of another scheme without echoing it', () => {
    const problems = loadProblems({
      ...MINIMAL_ENV,
      MCP_AUTH_PROXY_REDIS_URL: 'https://user:hunter22@redis.internal',
    });
    const problem = problemFor(problems, 'MCP_AUTH_PROXY_REDIS_URL');
    assert.match(problem.message, /redis:\/\/ or rediss:\/\/.*scheme "https:"/);
    assert.doesNotMatch(problem.message, /hunter22/);
  });

  it('warns about settings of the store that is not in use', () => {
    const sqlite = loadOk({ ...MINIMAL_ENV, MCP_AUTH_PROXY_REDIS_PREFIX: 'x:' });
    assert.deepEqual(sqlite.warnings, [
      'MCP_AUTH_PROXY_REDIS_PREFIX is ignored because no Redis is configured (MCP_AUTH_PROXY_REDIS_URL, _SENTINELS or _CLUSTER_NODES)',
    ]);
    const redis = loadOk({
      ...REDIS_ENV,
      MCP_AUTH_PROXY_ENCRYPTION_KEY: HEX_KEY,
      MCP_AUTH_PROXY_SQLITE_PATH: 'x.sqlite',
    });
    assert.deepEqual(redis.warnings, [
      'MCP_AUTH_PROXY_SQLITE_PATH is ignored because MCP_AUTH_PROXY_REDIS_URL is set',
    ]);
  });
});

describe('loadConfig keys', () => {
  it('refuses Redis without an encryption key or signing keys, since instances must share one key', () => {
    const problem = problemFor(loadProblems(REDIS_ENV), 'MCP_AUTH_PROXY_ENCRYPTION_KEY');
    assert.match(problem.message, /MCP_AUTH_PROXY_ENCRYPTION_KEY or OIDC_PROVIDER_JWKS must be set/);
    assert.match(problem.message, /same encryption key/);
    assert.doesNotMatch(problem.message, /s3cret-pass/);
  });

  it('derives the encryption key from OIDC_PROVIDER_JWKS when no explicit key is set', () => {
    const jwks = [privateJwk('ed25519', 'a'), privateJwk('ec', 'b'), privateJwk('rsa', 'c')];
    const { config, warnings } = loadOk({ ...REDIS_ENV, OIDC_PROVIDER_JWKS: JSON.stringify(jwks) });
    assert.deepEqual(config.keys.encryptionKey, { kind: 'derived-from-signing-keys' });
    assert.deepEqual(config.keys.signingKeys, jwks);
    assert.deepEqual(warnings, []);
  });

  it('prefers the explicit key, written as hex, base64 or base64url', () => {
    const key = Buffer.from(HEX_KEY, 'hex');
    for (const written of [HEX_KEY, key.toString('base64'), key.toString('base64url')]) {
      const { config } = loadOk({
        ...MINIMAL_ENV,
        OIDC_PROVIDER_JWKS: JSON.stringify([privateJwk('ed25519', 'k')]),
        MCP_AUTH_PROXY_ENCRYPTION_KEY: written,
      });
      assert.deepEqual(config.keys.encryptionKey, { kind: 'explicit', key });
    }
  });

  it('refuses an encryption key that is not 32 bytes, without echoing it', () => {
    for (const written of [
      'too-short-secret',
      'ab'.repeat(31),
      Buffer.alloc(31).toString('base64'),
      `${HEX_KEY}00`,
    ]) {
      const problem = problemFor(
        loadProblems({ ...MINIMAL_ENV, MCP_AUTH_PROXY_ENCRYPTION_KEY: written }),
        'MCP_AUTH_PROXY_ENCRYPTION_KEY',
      );
      assert.match(
        problem.message,
        /32 random bytes written as base64 \(44 characters\), base64url \(43 characters\) or hex \(64 characters\)/,
      );
      assert.ok(!problem.message.includes(written), problem.message);
    }
  });

  it('refuses public, symmetric and malformed JWKs, naming each key by index and kid', () => {
    const { d: _d, ...publicOnly } = privateJwk('ec', 'public-one');
    const { p: _p, ...rsaLike } = {
      kty: 'RSA',
      n: 'x',
      e: 'AQAB',
      d: 'y',
      p: 'z',
      q: 'w',
      dp: 'v',
      dq: 'u',
      qi: 't',
    };
    const jwks = [
      privateJwk('ed25519', 'good'),
      publicOnly,
      { kty: 'oct', k: 'c2VjcmV0', kid: 'sym' },
      rsaLike,
      { ...privateJwk('ed25519'), x: 'AAAA', kid: 'broken' },
      'nope',
    ];
    const problems = loadProblems({ ...MINIMAL_ENV, OIDC_PROVIDER_JWKS: JSON.stringify(jwks) });
    const messages = problems.map((problem) => {
      assert.equal(problem.variable, 'OIDC_PROVIDER_JWKS');
      return problem.message;
    });
    assert.deepEqual(messages, [
      'OIDC_PROVIDER_JWKS key 1 (kid "public-one") is a public key (no private member "d"); paste the private JWK, e.g. from `mcp-auth-proxy init`',
      'OIDC_PROVIDER_JWKS key 2 (kid "sym") is a symmetric ("oct") key; signing needs an RSA, EC or OKP private key',
      'OIDC_PROVIDER_JWKS key 3 lacks the private key members "p"',
      'OIDC_PROVIDER_JWKS key 4 (kid "broken") is not a usable private key: its members do not form a valid OKP key (its public part does not match its private part)',
      'OIDC_PROVIDER_JWKS key 5 is not a JSON object',
    ]);
  });

  it('warns about JWKs without a kid and about duplicate kids', () => {
    const jwks = [privateJwk('ed25519'), privateJwk('ec', 'same'), privateJwk('ed25519', 'same')];
    const { warnings } = loadOk({ ...MINIMAL_ENV, OIDC_PROVIDER_JWKS: JSON.stringify(jwks) });
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /^OIDC_PROVIDER_JWKS key 0 has no "kid"/);
    assert.match(warnings[1]!, /^OIDC_PROVIDER_JWKS has more than one key with kid "same"/);
  });

  it('accepts a JWK Set object as well as an array', () => {
    const key = privateJwk('ed25519', 'set');
    const { config } = loadOk({ ...MINIMAL_ENV, OIDC_PROVIDER_JWKS: JSON.stringify({ keys: [key] }) });
    assert.deepEqual(config.keys.signingKeys, [key]);
  });

  it('refuses an empty or non-JSON OIDC_PROVIDER_JWKS without quoting it', () => {
    assert.match(
      problemFor(loadProblems({ ...MINIMAL_ENV, OIDC_PROVIDER_JWKS: '[]' }), 'OIDC_PROVIDER_JWKS').message,
      /holds no keys/,
    );
    const garbage = '{"kty":"OKP","d":"c2VjcmV0LXByaXZhdGU", oops';
    const problem = problemFor(
      loadProblems({ ...MINIMAL_ENV, OIDC_PROVIDER_JWKS: garbage }),
      'OIDC_PROVIDER_JWKS',
    );
    assert.match(problem.message, /^OIDC_PROVIDER_JWKS is not valid JSON/);
    assert.doesNotMatch(problem.message, /c2VjcmV0|oops/);
  });
});
