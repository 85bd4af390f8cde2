import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { CredentialAlreadyConsumedError } from '../../src/oauth/oauth-error.ts';
import { nowSeconds } from '../../src/shared/clock.ts';
import { sha256Base64Url } from '../../src/shared/crypto.ts';
import { createOidcAdapterFactory, grantSetKey, oidcRecordKey } from '../../src/store/oidc-adapter.ts';
import { withHarness, type OpenStoreForTest, type StoreHarness } from './store-harnesses.ts';

const HOUR_SECONDS = 3_600;

/** A token-like payload as oidc-provider hands it to upsert. */
function tokenPayload(
  kind: string,
  jti: string,
  grantId: string,
  extra: AdapterPayload = {},
): AdapterPayload {
  return {
    jti,
    kind,
    grantId,
    accountId: 'user-1',
    clientId: 'client-1',
    iat: 1,
    exp: 2,
    scope: 'openid',
    ...extra,
  };
}

/** Everything the store holds, as text: what a dump of the database would show. */
async function dumpStore(h: StoreHarness): Promise<string> {
  const lines: string[] = [];
  for await (const key of h.store.keys('')) {
    const value = key.startsWith('grant:') ? (await h.store.members(key)).join(',') : await h.store.get(key);
    lines.push(`${key} => ${value}`);
  }
  return lines.join('\n');
}

/** The oidc-provider adapter on one store backend (src/store/oidc-adapter.ts). */
export function describeAdapterContract(name: string, open: OpenStoreForTest): void {
  const test = (
    title: string,
    body: (h: StoreHarness, adapterFor: (model: string) => Adapter) => Promise<void>,
  ): void => {
    it(title, (t: TestContext) =>
      withHarness(t, open, (h) => body(h, createOidcAdapterFactory(h.store, { clock: h.clock }))),
    );
  };

  describe(`oidc-provider adapter contract: ${name}`, () => {
    test('upsert then find returns the payload, with a token id restored as jti', async (_h, adapterFor) => {
      const id = `at-${randomUUID()}`;
      const payload = tokenPayload('AccessToken', id, 'grant-1');
      await adapterFor('AccessToken').upsert(id, payload, HOUR_SECONDS);
      assert.deepEqual(await adapterFor('AccessToken').find(id), payload);
    });

    test('a Client stored without expiry is found as given', async (_h, adapterFor) => {
      const metadata = { client_id: 'client-1', redirect_uris: ['https://app.example/cb'] };
      await adapterFor('Client').upsert('client-1', metadata);
      assert.deepEqual(await adapterFor('Client').find('client-1'), metadata);
    });

    test('find of an id never stored returns undefined', async (_h, adapterFor) => {
      assert.equal(await adapterFor('AccessToken').find('nope'), undefined);
      assert.equal(await adapterFor('Session').find('nope'), undefined);
      assert.equal(await adapterFor('Session').findByUid('nope'), undefined);
      assert.equal(await adapterFor('DeviceCode').findByUserCode('NOPE-NOPE'), undefined);
    });

    test('a dump of the store contains no token, code or refresh token value', async (h, adapterFor) => {
      const ids = {
        AccessToken: `access-${randomUUID()}`,
        RefreshToken: `refresh-${randomUUID()}`,
        AuthorizationCode: `code-${randomUUID()}`,
      };
      for (const [model, id] of Object.entries(ids)) {
        await adapterFor(model).upsert(id, tokenPayload(model, id, 'grant-1'), HOUR_SECONDS);
      }
      const dump = await dumpStore(h);
      for (const [model, id] of Object.entries(ids)) {
        assert.ok(!dump.includes(id), `${model} value leaked into the store:\n${dump}`);
        assert.ok(
          dump.includes(`${model}:${sha256Base64Url(id)}`),
          `${model} is keyed by the hash of its id`,
        );
        assert.ok(!dump.includes('"jti"'), 'no jti is stored for credential models');
      }
    });

    test('consume records the time in epoch seconds and keeps every other field', async (h, adapterFor) => {
      const id = `code-${randomUUID()}`;
      const payload = tokenPayload('AuthorizationCode', id, 'grant-1');
      await adapterFor('AuthorizationCode').upsert(id, payload, HOUR_SECONDS);
      const before = nowSeconds(h.clock);
      await adapterFor('AuthorizationCode').consume(id);
      const found = await adapterFor('AuthorizationCode').find(id);
      assert.ok(found);
      const { consumed, ...rest } = found;
      assert.deepEqual(rest, payload);
      assert.equal(typeof consumed, 'number');
      assert.ok(consumed >= before && consumed <= nowSeconds(h.clock), `consumed ${consumed}`);
    });

    test('consume keeps the remaining lifetime instead of restarting or dropping it', async (h, adapterFor) => {
      const lifetimeMs = h.shortTtlMs * 5;
      const id = `refresh-${randomUUID()}`;
      const adapter = adapterFor('RefreshToken');
      await adapter.upsert(id, tokenPayload('RefreshToken', id, 'grant-1'), lifetimeMs / 1000);
      h.manualClock?.advance(lifetimeMs - 10);
      await adapter.consume(id);
      if (h.manualClock) {
        h.manualClock.advance(9);
        assert.ok((await adapter.find(id))?.consumed, 'consumed and still there just before its expiry');
      }
      await h.elapse(lifetimeMs * 2);
      assert.equal(await adapter.find(id), undefined);
    });

    test('consume keeps a record of a model given keepConsumedMs only that long, then it is gone', async (h) => {
      const adapterFor = createOidcAdapterFactory(h.store, {
        clock: h.clock,
        keepConsumedMs: { RefreshToken: h.shortTtlMs },
      });
      const id = `refresh-${randomUUID()}`;
      const code = `code-${randomUUID()}`;
      await adapterFor('RefreshToken').upsert(id, tokenPayload('RefreshToken', id, 'grant-1'), HOUR_SECONDS);
      await adapterFor('AuthorizationCode').upsert(
        code,
        tokenPayload('AuthorizationCode', code, 'grant-1'),
        HOUR_SECONDS,
      );
      await adapterFor('RefreshToken').consume(id);
      await adapterFor('AuthorizationCode').consume(code);
      assert.ok((await adapterFor('RefreshToken').find(id))?.consumed, 'kept within the window');
      await h.elapse(h.shortTtlMs * 3);
      assert.equal(await adapterFor('RefreshToken').find(id), undefined, 'gone after the window');
      assert.ok(
        (await adapterFor('AuthorizationCode').find(code))?.consumed,
        'other models keep their lifetime',
      );
    });

    test('a grant set drops the keys of expired tokens as it grows, and revokeByGrantId still revokes every live one', async (h, adapterFor) => {
      const issue = async (model: string, lifetimeSeconds: number) => {
        const id = `${model}-${randomUUID()}`;
        await adapterFor(model).upsert(id, tokenPayload(model, id, 'grant-p'), lifetimeSeconds);
        return id;
      };
      const live = [
        { model: 'RefreshToken', id: await issue('RefreshToken', HOUR_SECONDS) },
        { model: 'AccessToken', id: await issue('AccessToken', HOUR_SECONDS) },
      ];
      const issued = 100;
      for (let round = 0; round < issued / 10; round += 1) {
        for (let each = 0; each < 10; each += 1) await issue('AccessToken', h.shortTtlMs / 1000);
        await h.elapse(h.shortTtlMs * 3);
      }
      live.push({ model: 'RefreshToken', id: await issue('RefreshToken', HOUR_SECONDS) });

      const members = await h.store.members(grantSetKey('grant-p'));
      assert.ok(members.length < 32, `${members.length} members after ${issued + 3} tokens`);
      for (const { model, id } of live) assert.ok(members.includes(oidcRecordKey(model, id)), model);

      await adapterFor('AccessToken').revokeByGrantId('grant-p');
      for (const { model, id } of live) assert.equal(await adapterFor(model).find(id), undefined, model);
    });

    test('consume spends a code for exactly one of 20 concurrent callers; the others get CredentialAlreadyConsumedError', async (_h, adapterFor) => {
      const id = `code-${randomUUID()}`;
      const codes = adapterFor('AuthorizationCode');
      await codes.upsert(id, tokenPayload('AuthorizationCode', id, 'grant-1'), HOUR_SECONDS);
      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => codes.consume(id)));
      assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected')
          assert.ok(outcome.reason instanceof CredentialAlreadyConsumedError);
      }
      // The loser revokes nothing: the winner's record stays, consumed.
      assert.equal(typeof (await codes.find(id))?.consumed, 'number');
    });

    test('consume refuses a record already consumed and keeps the first consumption time', async (h, adapterFor) => {
      const id = `refresh-${randomUUID()}`;
      const refreshTokens = adapterFor('RefreshToken');
      await refreshTokens.upsert(id, tokenPayload('RefreshToken', id, 'grant-1'), HOUR_SECONDS);
      await refreshTokens.consume(id);
      const first = (await refreshTokens.find(id))?.consumed;
      await h.elapse(h.manualClock ? 5_000 : 1_100);
      await assert.rejects(refreshTokens.consume(id), CredentialAlreadyConsumedError);
      assert.equal((await refreshTokens.find(id))?.consumed, first);
    });

    test('consume refuses a record revoked before it and does not write it back', async (_h, adapterFor) => {
      const id = `code-${randomUUID()}`;
      const codes = adapterFor('AuthorizationCode');
      await codes.upsert(id, tokenPayload('AuthorizationCode', id, 'grant-r'), HOUR_SECONDS);
      await codes.revokeByGrantId('grant-r');
      await assert.rejects(codes.consume(id), CredentialAlreadyConsumedError);
      await assert.rejects(codes.consume('never-issued'), CredentialAlreadyConsumedError);
      assert.equal(await codes.find(id), undefined);
    });

    test('destroy removes the record and its uid index', async (_h, adapterFor) => {
      const session = adapterFor('Session');
      await session.upsert('session-1', { jti: 'session-1', kind: 'Session', uid: 'uid-1' }, HOUR_SECONDS);
      assert.equal((await session.findByUid('uid-1'))?.jti, 'session-1');
      await session.destroy('session-1');
      assert.equal(await session.find('session-1'), undefined);
      assert.equal(await session.findByUid('uid-1'), undefined);
    });

    test('findByUid follows a Session whose id was regenerated, in either write order', async (_h, adapterFor) => {
      const session = adapterFor('Session');
      const save = (id: string) =>
        session.upsert(id, { jti: id, kind: 'Session', uid: 'shared-uid' }, HOUR_SECONDS);
      await save('old-1');
      await session.destroy('old-1');
      await save('new-1');
      assert.equal((await session.findByUid('shared-uid'))?.jti, 'new-1');
      await save('new-2');
      await session.destroy('new-1');
      assert.equal((await session.findByUid('shared-uid'))?.jti, 'new-2');
    });

    test('findByUserCode returns the DeviceCode with its id as jti', async (_h, adapterFor) => {
      const deviceCodes = adapterFor('DeviceCode');
      const id = `device-${randomUUID()}`;
      const payload = tokenPayload('DeviceCode', id, 'grant-1', { userCode: 'BCDF-GHJK' });
      await deviceCodes.upsert(id, payload, 600);
      assert.deepEqual(await deviceCodes.findByUserCode('BCDF-GHJK'), payload);
      await deviceCodes.destroy(id);
      assert.equal(await deviceCodes.findByUserCode('BCDF-GHJK'), undefined);
    });

    test('revokeByGrantId removes every token of that grant and nothing else', async (_h, adapterFor) => {
      const issue = async (model: string, grantId: string) => {
        const id = `${model}-${randomUUID()}`;
        await adapterFor(model).upsert(id, tokenPayload(model, id, grantId), HOUR_SECONDS);
        return { model, id };
      };
      const revoked = [
        await issue('AccessToken', 'grant-a'),
        await issue('RefreshToken', 'grant-a'),
        await issue('AuthorizationCode', 'grant-a'),
      ];
      const kept = [await issue('AccessToken', 'grant-b'), await issue('RefreshToken', 'grant-b')];
      await adapterFor('Grant').upsert('grant-a', { jti: 'grant-a', kind: 'Grant' }, HOUR_SECONDS);

      await adapterFor('RefreshToken').revokeByGrantId('grant-a');

      for (const { model, id } of revoked) assert.equal(await adapterFor(model).find(id), undefined, model);
      for (const { model, id } of kept) assert.equal((await adapterFor(model).find(id))?.jti, id, model);
      // The Grant itself is destroyed by oidc-provider through its own adapter, not by revokeByGrantId.
      assert.ok(await adapterFor('Grant').find('grant-a'));
    });

    test('the grant set lives as long as its longest-lived token', async (h, adapterFor) => {
      const shortId = `at-${randomUUID()}`;
      const longId = `rt-${randomUUID()}`;
      await adapterFor('AccessToken').upsert(
        shortId,
        tokenPayload('AccessToken', shortId, 'g'),
        h.shortTtlMs / 1000,
      );
      await adapterFor('RefreshToken').upsert(
        longId,
        tokenPayload('RefreshToken', longId, 'g'),
        HOUR_SECONDS,
      );
      await h.elapse(h.shortTtlMs * 3);
      await adapterFor('AccessToken').revokeByGrantId('g');
      assert.equal(await adapterFor('RefreshToken').find(longId), undefined);
    });

    test('an upsert whose expiresIn has already run out leaves no record', async (_h, adapterFor) => {
      const id = `at-${randomUUID()}`;
      await adapterFor('AccessToken').upsert(id, tokenPayload('AccessToken', id, 'g'), HOUR_SECONDS);
      await adapterFor('AccessToken').upsert(id, tokenPayload('AccessToken', id, 'g'), 0);
      assert.equal(await adapterFor('AccessToken').find(id), undefined);
    });
  });
}
