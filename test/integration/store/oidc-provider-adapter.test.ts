import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { systemClock } from '../../../src/shared/clock.ts';
import type { KeyValueStore } from '../../../src/store/key-value-store.ts';
import { createOidcAdapterFactory } from '../../../src/store/oidc-adapter.ts';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

const CLIENT = {
  client_id: 'client-1',
  client_secret: 'client-secret',
  redirect_uris: ['https://app.example/cb'],
};

/** A real oidc-provider on the adapter, over the default (SQLite) backend. */
async function providerOnStore(t: TestContext): Promise<{ provider: Provider; store: KeyValueStore }> {
  const directory = await mkdtemp(join(tmpdir(), 'oidc-adapter-'));
  const store = createSqliteStore({ path: join(directory, 'store.db'), clock: systemClock });
  t.after(async () => {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  });
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const provider = new Provider('https://auth.example', {
    adapter: createOidcAdapterFactory(store),
    clients: [CLIENT],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig' }] },
    features: { devInteractions: { enabled: false } },
    ttl: { AccessToken: 3_600, RefreshToken: 86_400, Session: 3_600 },
  });
  return { provider, store };
}

describe('oidc-provider on the store adapter', () => {
  it('finds issued tokens by value, sees a consumed refresh token, and revokes a whole grant', async (t) => {
    const { provider } = await providerOnStore(t);
    const client = await provider.Client.find(CLIENT.client_id);
    assert.ok(client);
    const grantId = 'grant-1';
    const issued = { accountId: 'user-1', client, grantId, gty: 'authorization_code', scope: 'openid' };
    const accessToken = await new provider.AccessToken(issued).save();
    const refreshToken = await new provider.RefreshToken(issued).save();

    assert.equal((await provider.AccessToken.find(accessToken))?.accountId, 'user-1');
    const found = await provider.RefreshToken.find(refreshToken);
    assert.ok(found?.isValid);
    await found.consume();
    assert.equal(
      (await provider.RefreshToken.find(refreshToken))?.isValid,
      false,
      'a consumed token is not valid',
    );

    await provider.AccessToken.revokeByGrantId(grantId);
    assert.equal(await provider.AccessToken.find(accessToken), undefined);
    assert.equal(await provider.RefreshToken.find(refreshToken), undefined);
  });

  it('finds a saved Session by its uid', async (t) => {
    const { provider } = await providerOnStore(t);
    const session = new provider.Session();
    session.accountId = 'user-1';
    await session.save(3_600);
    const found = await provider.Session.findByUid(session.uid);
    assert.equal(found?.jti, session.jti);
    assert.equal(found?.accountId, 'user-1');
  });
});
