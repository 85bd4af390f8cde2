import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';
import { decorateAdapter } from '../../../src/store/decorate-adapter.ts';
import { createMemoryStore } from '../../../src/store/memory/memory-store.ts';
import { createOidcAdapterFactory } from '../../../src/store/oidc-adapter.ts';
import { DependencyUnavailableError } from '../../../src/http-kit/dependency-unavailable-error.ts';
import { createManualClock } from '../../contract/manual-clock.ts';

const HOUR_SECONDS = 3600;

/** The real adapter on the real memory store, remembering the adapter it made last. */
function realAdapters(): { factory: AdapterFactory; lastMade: () => Adapter | undefined } {
  const clock = createManualClock();
  const base = createOidcAdapterFactory(createMemoryStore({ clock }), { clock });
  let last: Adapter | undefined;
  return {
    factory: (modelName) => (last = base(modelName)),
    lastMade: () => last,
  };
}

const grant = (id: string): AdapterPayload => ({ jti: id, kind: 'Grant', accountId: 'user-1' });

class StoreDown extends Error {}

describe('decorateAdapter', () => {
  it('hands back the inner adapter itself for a model it changes nothing about', () => {
    const { factory, lastMade } = realAdapters();
    const decorated = decorateAdapter(factory, {
      override: (_inner, modelName) => (modelName === 'RefreshToken' ? {} : undefined),
    });
    const clients = decorated('Client');
    assert.equal(clients, lastMade());
    assert.notEqual(decorated('RefreshToken'), lastMade());
    assert.equal(decorateAdapter(factory, {})('Grant'), lastMade());
  });

  it('replaces only the methods it names; every other method reaches the inner adapter', async () => {
    const { factory } = realAdapters();
    const destroyed: string[] = [];
    const grants = decorateAdapter(factory, {
      override: (inner, modelName) => ({
        async destroy(id) {
          await inner.destroy(id);
          destroyed.push(`${modelName}:${id}`);
        },
      }),
    })('Grant');

    await grants.upsert('grant-1', grant('grant-1'), HOUR_SECONDS);
    assert.deepEqual(await grants.find('grant-1'), grant('grant-1'));
    await grants.destroy('grant-1');
    assert.deepEqual(destroyed, ['Grant:grant-1']);
    assert.equal(await grants.find('grant-1'), undefined);
  });

  it('stacks: an outer decorator sees what the inner one changed', async () => {
    const { factory } = realAdapters();
    const hidden = decorateAdapter(factory, {
      override: (inner) => ({ find: async (id) => (id === 'secret' ? undefined : inner.find(id)) }),
    });
    const counted: string[] = [];
    const outer = decorateAdapter(hidden, {
      override: (inner) => ({
        find: (id) => {
          counted.push(id);
          return inner.find(id);
        },
      }),
    })('Grant');

    await outer.upsert('secret', grant('secret'), HOUR_SECONDS);
    await outer.upsert('open', grant('open'), HOUR_SECONDS);
    assert.equal(await outer.find('secret'), undefined);
    assert.deepEqual(await outer.find('open'), grant('open'));
    assert.deepEqual(counted, ['secret', 'open']);
  });

  it('translates what any method rejects or throws with, naming the model, and lets results through', async () => {
    const failing: AdapterFactory = () => {
      const reject = () => Promise.reject(new StoreDown('down'));
      return {
        upsert: reject,
        find: reject,
        findByUid: reject,
        findByUserCode: reject,
        consume: reject,
        // Throws before it returns a promise: translated all the same.
        destroy: () => {
          throw new StoreDown('down');
        },
        revokeByGrantId: () => Promise.resolve(),
      };
    };
    const adapter = decorateAdapter(failing, {
      translateError: (error, modelName) =>
        error instanceof StoreDown
          ? new DependencyUnavailableError('store', `${modelName} unreadable`)
          : error,
    })('AccessToken');

    for (const call of [
      () => adapter.upsert('id', {}, 1),
      () => adapter.find('id'),
      () => adapter.findByUid('uid'),
      () => adapter.findByUserCode('code'),
      () => adapter.consume('id'),
      () => adapter.destroy('id'),
    ]) {
      await assert.rejects(call, { name: 'DependencyUnavailableError', message: 'AccessToken unreadable' });
    }
    assert.equal(await adapter.revokeByGrantId('grant-1'), undefined);
  });

  it('translates the errors of the methods it overrides too', async () => {
    const { factory } = realAdapters();
    const adapter = decorateAdapter(factory, {
      override: () => ({ consume: () => Promise.reject(new StoreDown('down')) }),
      translateError: () => new DependencyUnavailableError('store', 'translated'),
    })('AuthorizationCode');
    await assert.rejects(adapter.consume('code-1'), { message: 'translated' });
  });
});
