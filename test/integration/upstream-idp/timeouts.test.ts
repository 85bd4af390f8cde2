import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { IdentityProviderError } from '../../../src/upstream-idp/index.ts';
import { startFakeIdp, type FakeIdp } from '../../support/fake-idp.ts';
import { clientFor, REDIRECT_URI, thrownBy } from './identity-test-kit.ts';

describe('an IdP that is down or slow', () => {
  let idp: FakeIdp;
  before(async () => {
    idp = await startFakeIdp({ mode: 'oidc', redirectUris: [REDIRECT_URI], autoLoginAs: 'tom' });
  });
  after(() => idp.close());

  it('fails discovery as transient when it does not answer in time, and a later initialize succeeds', async () => {
    idp.discoveryBehaviour = 'hang';
    const client = clientFor(idp, { timeoutMs: 200 });
    const error = await thrownBy(() => client.initialize());
    assert.ok(error instanceof IdentityProviderError);
    assert.equal(error.transient, true);
    assert.equal(error.endpoint, 'discovery');
    assert.equal(client.metadata, undefined);
    idp.discoveryBehaviour = 'ok';
    await client.initialize();
    assert.equal(client.getProviderMetadata()?.issuer, idp.issuer);
  });

  it('fails discovery as transient on a 500', async () => {
    idp.discoveryBehaviour = 'server_error';
    const client = clientFor(idp);
    const error = await thrownBy(() => client.initialize());
    idp.discoveryBehaviour = 'ok';
    assert.ok(error instanceof IdentityProviderError);
    assert.equal(error.transient, true);
    assert.equal(error.statusCode, 500);
  });

  it('fails generateAuthUrl as transient while discovery cannot complete', async () => {
    idp.discoveryBehaviour = 'server_error';
    const client = clientFor(idp);
    const error = await thrownBy(() => client.generateAuthUrl('state-down'));
    idp.discoveryBehaviour = 'ok';
    assert.ok(error instanceof IdentityProviderError);
    assert.equal(error.transient, true);
  });

  it('fails as transient when nothing listens at the IdP address', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = clientFor(idp, { serverUrl: `http://127.0.0.1:${port}` });
    const error = await thrownBy(() => client.initialize());
    assert.ok(error instanceof IdentityProviderError);
    assert.equal(error.transient, true);
    assert.match(error.message, /could not be reached/);
  });

  it('reports a server that is not an IdP as misconfiguration', async () => {
    const client = clientFor(idp, { serverUrl: `${idp.url}/not-an-issuer` });
    const error = await thrownBy(() => client.initialize());
    assert.ok(error instanceof IdentityProviderError);
    assert.equal(error.failure, 'misconfigured');
    assert.equal(error.statusCode, 404);
  });

  it('applies the time limit to userinfo as well', async () => {
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const userinfo = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/userinfo`;
    try {
      const client = clientFor(idp, {
        serverUrl: undefined,
        timeoutMs: 200,
        scope: 'profile',
        serverMetadata: {
          ...(idp.metadata() as { issuer: string; authorization_endpoint: string; token_endpoint: string }),
          userinfo_endpoint: userinfo,
        },
      });
      const callback = await idp.authorizeAs(await client.generateAuthUrl('state-userinfo-hang'));
      const error = await thrownBy(() =>
        client.completeLogin({ params: callback.searchParams, state: 'state-userinfo-hang' }),
      );
      assert.ok(error instanceof IdentityProviderError);
      assert.equal(error.transient, true);
      assert.equal(error.endpoint, 'userinfo');
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  });
});
