import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { createGrantActivity, LAST_USED_THROTTLE_MS } from '../../../src/account/index.ts';
import type { ObservedEvent } from '../../../src/observability/index.ts';
import { silentLogger } from '../../../src/shared/logger.ts';
import { createMemoryStore, type KeyValueStore } from '../../../src/store/index.ts';
import { createManualClock } from '../../contract/manual-clock.ts';

const GRANT_TTL_SECONDS = 14 * 24 * 60 * 60;

const issued = (grantId: string | undefined): ObservedEvent => ({
  type: 'token.issued',
  grantType: 'refresh_token',
  clientId: 'client-1',
  accountId: 'uid-alice',
  grantId,
  request: undefined,
});

/** A store that counts its writes: the recorder's cost. */
function countingStore(store: KeyValueStore): { store: KeyValueStore; writes: () => number } {
  let writes = 0;
  return {
    store: {
      ...store,
      set: async (key, value, options) => {
        writes += 1;
        await store.set(key, value, options);
      },
    },
    writes: () => writes,
  };
}

/** The recorder writes after the event, without being waited for. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('the grant activity recorder (last used)', () => {
  it('records when a grant last got a token, at most once a minute per grant', async () => {
    const clock = createManualClock();
    const { store, writes } = countingStore(createMemoryStore({ clock }));
    const activity = createGrantActivity({
      store,
      grantTtlSeconds: GRANT_TTL_SECONDS,
      clock,
      logger: silentLogger,
    });
    const firstMs = clock.nowMs();
    activity.observe(issued('grant-1'));
    clock.advance(LAST_USED_THROTTLE_MS - 1);
    activity.observe(issued('grant-1'));
    await settled();
    assert.equal(writes(), 1, 'a burst writes once');
    assert.equal(await activity.lastUsedMs('grant-1'), firstMs);

    clock.advance(1);
    activity.observe(issued('grant-1'));
    activity.observe(issued('grant-2'));
    activity.observe(issued(undefined));
    await settled();
    assert.equal(writes(), 3);
    assert.equal(await activity.lastUsedMs('grant-1'), firstMs + LAST_USED_THROTTLE_MS);
    assert.equal(await activity.lastUsedMs('grant-3'), undefined);
  });

  it('keeps the record for the grant’s lifetime, then lets it expire with the grant', async () => {
    const clock = createManualClock();
    const store = createMemoryStore({ clock });
    const activity = createGrantActivity({
      store,
      grantTtlSeconds: GRANT_TTL_SECONDS,
      clock,
      logger: silentLogger,
    });
    activity.observe(issued('grant-1'));
    await settled();
    clock.advance(GRANT_TTL_SECONDS * 1000 - 1);
    assert.notEqual(await activity.lastUsedMs('grant-1'), undefined);
    clock.advance(1);
    assert.equal(await activity.lastUsedMs('grant-1'), undefined);
  });

  it('keeps the name a client ID metadata document gave at sign-in, and only theirs', async () => {
    const clock = createManualClock();
    const store = createMemoryStore({ clock });
    const activity = createGrantActivity({
      store,
      grantTtlSeconds: GRANT_TTL_SECONDS,
      clock,
      logger: silentLogger,
    });
    const signedIn = (grantId: string, clientId: string, clientName: string): ObservedEvent => ({
      type: 'signin.succeeded',
      accountId: 'uid-alice',
      clientId,
      clientName,
      grantId,
      request: {} as IncomingMessage,
    });
    activity.observe(signedIn('grant-1', 'https://app.example.com/client.json', 'Published App'));
    activity.observe(signedIn('grant-2', 'registered-id', 'Registered App'));
    await settled();
    assert.equal(await activity.publishedClientName('grant-1'), 'Published App');
    assert.equal(await activity.publishedClientName('grant-2'), undefined, 'its Client record has its name');

    await activity.forget('grant-1');
    assert.equal(await activity.publishedClientName('grant-1'), undefined);
  });

  it('never throws at the event’s emitter when the store fails', async () => {
    const clock = createManualClock();
    const failing: KeyValueStore = {
      ...createMemoryStore({ clock }),
      set: () => Promise.reject(new Error('store down')),
    };
    const activity = createGrantActivity({
      store: failing,
      grantTtlSeconds: 60,
      clock,
      logger: silentLogger,
    });
    assert.doesNotThrow(() => activity.observe(issued('grant-1')));
    await settled();
  });
});
