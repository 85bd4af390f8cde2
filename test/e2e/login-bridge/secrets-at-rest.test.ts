/**
 * What a login leaves in the store: the user's IdP tokens only sealed
 * (AES-256-GCM), and the proxy's own bearer credentials only as hashes (the
 * oidc-provider adapter keys credential records by SHA-256 and drops `jti`).
 * A dump of the store must hold nothing anyone could present, at the IdP or
 * at the proxy. The IdP's token responses are recorded by a forwarder in front
 * of its token endpoint, so the test knows the strings without asking the proxy.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startFakeIdp } from '../../support/fake-idp.ts';
import {
  authorizationRequest,
  browse,
  cleanupStack,
  exchangeCode,
  expectStop,
  loginThroughProxy,
  refreshTokens,
  registerClient,
  submitConfirmation,
  whoami,
  type TokenResponse,
} from '../../support/login-bridge-steps.ts';
import {
  issuedIdpTokens,
  startRecordingForwarder,
  writeMetadataThroughForwarder,
} from '../../support/recording-forwarder.ts';
import { redisUrlOrSkip, uniqueRedisPrefix } from '../../support/redis.ts';
import { deleteRedisPrefix } from '../../support/redis-cleanup.ts';
import { startTestProxy, type TestProxy, type TestStore } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';

type Defer = ReturnType<typeof cleanupStack>;

/** A proxy whose IdP token endpoint is reached through a recording forwarder. */
async function startRecordedProxy(defer: Defer, store: TestStore) {
  const idp = await startFakeIdp({ mode: 'oidc' });
  defer(() => idp.close());
  const forwarder = await startRecordingForwarder(idp.url);
  defer(() => forwarder.close());
  const dir = await mkdtemp(join(tmpdir(), 'login-bridge-at-rest-'));
  defer(() => rm(dir, { recursive: true, force: true }));
  const env = {
    IDENTITY_SERVER_URL: '',
    IDENTITY_SERVER_METADATA_FILE: await writeMetadataThroughForwarder(idp, forwarder, dir),
  };
  const proxy = await startTestProxy({ store, idp, env });
  defer(() => proxy.close());
  return { proxy, forwarder };
}

/** Every key and value in the store, as one list of strings. */
async function dumpStore(proxy: TestProxy): Promise<string[]> {
  const { store } = proxy.app;
  const dump: string[] = [];
  for await (const key of store.keys('')) {
    dump.push(key);
    let value: string | undefined;
    try {
      value = await store.get(key);
    } catch {
      value = undefined; // a set, on Redis: read its members instead
    }
    if (value !== undefined) dump.push(value);
    else dump.push(...(await store.members(key).catch(() => [])));
  }
  return dump;
}

function assertAbsent(dump: readonly string[], secrets: Record<string, readonly string[]>) {
  for (const [what, values] of Object.entries(secrets)) {
    for (const secret of values) {
      const holder = dump.find((entry) => entry.includes(secret));
      assert.equal(holder, undefined, `${what} is in the store in plain text`);
    }
  }
}

async function loginRefreshAndDump(store: TestStore, defer: Defer) {
  const { proxy, forwarder } = await startRecordedProxy(defer, store);
  const client = await registerClient(proxy.baseUrl);
  const request = authorizationRequest(proxy.baseUrl, client, proxy.mcpUrl);
  const { callback } = await loginThroughProxy(new UserAgent(), proxy.idp, request, 'alice');
  const first = await exchangeCode(proxy.baseUrl, request, callback, proxy.mcpUrl);
  assert.equal(await whoami(proxy.mcpUrl, first.access_token), 'alice');
  // Rotate both sides: a refresh at the proxy, and an upstream refresh forced by expiring the IdP tokens.
  const refreshed = await refreshTokens(proxy.baseUrl, client.client_id, first.refresh_token!, proxy.mcpUrl);
  assert.equal(refreshed.status, 200);
  const second = refreshed.body as TokenResponse;
  proxy.idp.expireAccessTokens();
  assert.equal(await whoami(proxy.mcpUrl, second.access_token), 'alice');

  const idpTokens = issuedIdpTokens(forwarder);
  assert.ok(
    idpTokens.accessTokens.length >= 2 && idpTokens.refreshTokens.length >= 2,
    'login and refresh were recorded',
  );
  assertAbsent(await dumpStore(proxy), {
    'an IdP access token': idpTokens.accessTokens,
    'an IdP refresh token': idpTokens.refreshTokens,
    'a proxy access token': [first.access_token, second.access_token],
    'a proxy refresh token': [first.refresh_token!, second.refresh_token!],
  });
}

describe('secrets at rest after a login', () => {
  // req: A3.6
  it('keeps no IdP token and no proxy-issued token in plain text on SQLite', async (t) => {
    await loginRefreshAndDump({ kind: 'sqlite' }, cleanupStack(t));
  });

  it('keeps no IdP token and no proxy-issued token in plain text on Redis', async (t) => {
    const url = await redisUrlOrSkip(t);
    if (url === undefined) return;
    const prefix = uniqueRedisPrefix('login-bridge-at-rest');
    const defer = cleanupStack(t);
    defer(() => deleteRedisPrefix(url, prefix));
    await loginRefreshAndDump({ kind: 'redis', url, prefix }, defer);
  });

  it('keeps a pending upstream login’s PKCE verifier sealed while the user is at the IdP', async (t) => {
    const defer = cleanupStack(t);
    const { proxy } = await startRecordedProxy(defer, { kind: 'sqlite' });
    const client = await registerClient(proxy.baseUrl);
    const request = authorizationRequest(proxy.baseUrl, client, proxy.mcpUrl);
    const agent = new UserAgent();
    const targets = { idpUrl: proxy.idp.url, redirectUri: request.redirectUri };
    const page = expectStop(await browse(agent, request.url, targets), 'page');
    expectStop(await submitConfirmation(agent, page, targets), 'idp');

    const dump = await dumpStore(proxy);
    assert.equal(
      dump.find((entry) => /codeVerifier|code_verifier/.test(entry)),
      undefined,
      'the pending login is not stored as readable JSON',
    );
  });
});
