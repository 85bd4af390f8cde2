/**
 * Everything a login leaves behind survives a restart of the proxy: the
 * proxy's tokens, the sealed upstream tokens, and (with nothing configured)
 * the generated signing keys and encryption key.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startFakeIdp, type FakeIdp } from '../../support/fake-idp.ts';
import {
  authorizationRequest,
  cleanupStack,
  exchangeCode,
  loginThroughProxy,
  refreshTokens,
  registerClient,
  whoami,
  type TokenResponse,
} from '../../support/login-bridge-steps.ts';
import { startMcpFixtureServer, type McpFixtureServer } from '../../support/mcp-fixture-server.ts';
import { redisUrlOrSkip, uniqueRedisPrefix } from '../../support/redis.ts';
import { deleteRedisPrefix } from '../../support/redis-cleanup.ts';
import { startTestProxy, type TestProxy, type TestStore } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';

type Defer = ReturnType<typeof cleanupStack>;

/** An IdP and MCP server that outlive the proxies started in front of them. */
async function startBackends(defer: Defer): Promise<{ idp: FakeIdp; mcp: McpFixtureServer }> {
  const idp = await startFakeIdp({ mode: 'oidc' });
  defer(() => idp.close());
  const mcp = await startMcpFixtureServer({
    stateful: true,
    validateToken: (bearer) => {
      const user = idp.userForAccessToken(bearer);
      return user === undefined ? undefined : { user };
    },
  });
  defer(() => mcp.close());
  return { idp, mcp };
}

async function logIn(
  proxy: TestProxy,
  username: string,
): Promise<{ clientId: string; tokens: TokenResponse }> {
  const client = await registerClient(proxy.baseUrl);
  const request = authorizationRequest(proxy.baseUrl, client, proxy.mcpUrl);
  const { callback } = await loginThroughProxy(new UserAgent(), proxy.idp, request, username);
  const tokens = await exchangeCode(proxy.baseUrl, request, callback, proxy.mcpUrl);
  assert.ok(tokens.refresh_token, 'a refresh token is issued');
  return { clientId: client.client_id, tokens };
}

/** Logs in, restarts the proxy on the same port and store, then uses and refreshes the old tokens. */
async function tokensSurviveRestart(
  defer: Defer,
  store: TestStore,
  env: Record<string, string> = {},
): Promise<void> {
  const { idp, mcp } = await startBackends(defer);
  const first = await startTestProxy({ store, idp, mcp, env });
  defer(() => first.close());
  const { clientId, tokens } = await logIn(first, 'alice');
  assert.equal(await whoami(first.mcpUrl, tokens.access_token), 'alice');
  await first.stop();

  const second = await startTestProxy({ store, idp, mcp, env, port: Number(new URL(first.baseUrl).port) });
  defer(() => second.close());
  assert.equal(second.baseUrl, first.baseUrl);
  assert.equal(await whoami(second.mcpUrl, tokens.access_token), 'alice', 'the old access token still works');

  const refreshed = await refreshTokens(second.baseUrl, clientId, tokens.refresh_token!, second.mcpUrl);
  assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
  const body = refreshed.body as TokenResponse;
  assert.notEqual(body.access_token, tokens.access_token);
  assert.equal(await whoami(second.mcpUrl, body.access_token), 'alice', 'the refreshed access token works');

  // The upstream tokens were sealed by the first process; after the IdP expires them the
  // second process must still open them to refresh at the IdP.
  idp.expireAccessTokens();
  const refreshesBefore = idp.counts.refresh;
  assert.equal(await whoami(second.mcpUrl, body.access_token), 'alice');
  assert.equal(
    idp.counts.refresh,
    refreshesBefore + 1,
    'the upstream refresh token was read after the restart',
  );
}

describe('tokens survive a restart', () => {
  // req: A5.7
  it('keeps access and refresh tokens working across a restart on SQLite', async (t) => {
    const defer = cleanupStack(t);
    const dir = await mkdtemp(join(tmpdir(), 'login-bridge-restart-'));
    defer(() => rm(dir, { recursive: true, force: true }));
    await tokensSurviveRestart(defer, { kind: 'sqlite', dir });
  });

  it('keeps access and refresh tokens working across a restart on Redis (same prefix and key)', async (t) => {
    const url = await redisUrlOrSkip(t);
    if (url === undefined) return;
    const prefix = uniqueRedisPrefix('login-bridge-restart');
    const defer = cleanupStack(t);
    defer(() => deleteRedisPrefix(url, prefix));
    await tokensSurviveRestart(
      defer,
      { kind: 'redis', url, prefix },
      {
        MCP_AUTH_PROXY_ENCRYPTION_KEY: Buffer.alloc(32, 42).toString('base64url'),
      },
    );
  });
});

describe('generated keys survive a restart', () => {
  it('keeps the generated signing keys and encryption key on SQLite when none is configured', async (t) => {
    const defer = cleanupStack(t);
    const dir = await mkdtemp(join(tmpdir(), 'login-bridge-keys-'));
    defer(() => rm(dir, { recursive: true, force: true }));
    const { idp, mcp } = await startBackends(defer);
    const store: TestStore = { kind: 'sqlite', dir };

    const first = await startTestProxy({ store, idp, mcp });
    defer(() => first.close());
    assert.equal(first.env['OIDC_PROVIDER_JWKS'], undefined);
    assert.equal(first.env['MCP_AUTH_PROXY_ENCRYPTION_KEY'], undefined);
    const kidsBefore = await jwksKids(first.baseUrl);
    assert.ok(kidsBefore.length > 0);
    const { tokens } = await logIn(first, 'alice');
    await first.stop();

    const second = await startTestProxy({ store, idp, mcp, port: Number(new URL(first.baseUrl).port) });
    defer(() => second.close());
    assert.deepEqual(await jwksKids(second.baseUrl), kidsBefore, 'the same signing keys are published');
    // The upstream tokens are sealed with the encryption key: reading them proves it was kept.
    assert.equal(await whoami(second.mcpUrl, tokens.access_token), 'alice');
  });
});

async function jwksKids(baseUrl: string): Promise<string[]> {
  const response = await fetch(`${baseUrl}/jwks`);
  assert.equal(response.status, 200);
  const { keys } = (await response.json()) as { keys: Array<{ kid: string }> };
  return keys.map((key) => key.kid).sort();
}
