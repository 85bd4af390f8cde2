import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fromEnvironmentAsync, IdentityConfigurationError } from '../../../src/upstream-idp/index.ts';
import { startFakeIdp, type FakeIdp } from '../../support/fake-idp.ts';
import { clientFor, REDIRECT_URI, redirectBack, thrownBy } from './identity-test-kit.ts';

describe('login at a Heroku-style OAuth 2.0 IdP', () => {
  let idp: FakeIdp;
  let dir: string;
  let metadataFile: string;
  before(async () => {
    idp = await startFakeIdp({ mode: 'heroku', redirectUris: [REDIRECT_URI], autoLoginAs: 'hana' });
    dir = await mkdtemp(join(tmpdir(), 'upstream-idp-'));
    metadataFile = await idp.writeMetadataFile(dir);
  });
  after(async () => {
    await idp.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('logs in from a static metadata file without any discovery request', async () => {
    const client = clientFor(idp, { serverUrl: undefined, metadataFile, scope: 'global' });
    const discoveries = idp.counts.discovery;
    const url = new URL(await client.generateAuthUrl('state-file'));
    assert.equal(url.searchParams.has('nonce'), false, 'no nonce for a provider without id_tokens');
    assert.equal(url.searchParams.get('scope'), 'global');
    const callback = await idp.authorizeAs(url);
    const tokens = await client.completeLogin({ params: callback.searchParams, state: 'state-file' });
    assert.equal(idp.counts.discovery, discoveries);
    assert.equal(tokens.userId, idp.userIdFor('hana'));
    assert.equal(tokens.idToken, undefined);
    assert.equal(tokens.extras['user_id'], idp.userIdFor('hana'));
    assert.equal(typeof tokens.extras['session_nonce'], 'string');
    assert.equal(idp.isValidAccessToken(tokens.accessToken), true);
  });

  it('falls back to RFC 8414 metadata when there is no OpenID configuration', async () => {
    const client = clientFor(idp, { scope: 'global' });
    const discoveries = idp.counts.discovery;
    await client.initialize();
    assert.equal(
      idp.counts.discovery - discoveries,
      2,
      'openid-configuration (404), then oauth-authorization-server',
    );
    assert.equal(client.metadata?.token_endpoint, `${idp.url}/token`);
  });

  it('needs no id_token even when openid is among the scopes', async () => {
    const client = clientFor(idp, { serverUrl: undefined, metadataFile });
    const callback = await redirectBack(client, idp, 'state-openid');
    const tokens = await client.completeLogin({ params: callback.searchParams, state: 'state-openid' });
    assert.equal(tokens.userId, idp.userIdFor('hana'));
  });

  it('is built by fromEnvironmentAsync from IDENTITY_* variables', async () => {
    const client = await fromEnvironmentAsync({
      env: {
        IDENTITY_CLIENT_ID: idp.clientId,
        IDENTITY_CLIENT_SECRET: idp.clientSecret,
        IDENTITY_SERVER_URL: idp.issuer,
        IDENTITY_SERVER_METADATA_FILE: metadataFile,
        IDENTITY_REDIRECT_URI: REDIRECT_URI,
        IDENTITY_SCOPE: 'global,identity',
        NODE_ENV: 'test',
      },
      allowInsecureHttp: true,
    });
    assert.deepEqual(client.scopes, ['global', 'identity']);
    const callback = await redirectBack(client, idp, 'state-env');
    const tokens = await client.completeLogin({ params: callback.searchParams, state: 'state-env' });
    assert.equal(tokens.userId, idp.userIdFor('hana'));
  });

  it('reports an unreadable or incomplete metadata file as configuration problems', async () => {
    const missing = clientFor(idp, { serverUrl: undefined, metadataFile: join(dir, 'absent.json') });
    assert.ok((await thrownBy(() => missing.initialize())) instanceof IdentityConfigurationError);
    const partialFile = join(dir, 'partial.json');
    await writeFile(partialFile, JSON.stringify({ issuer: idp.issuer }));
    const partial = clientFor(idp, { serverUrl: undefined, metadataFile: partialFile });
    const error = await thrownBy(() => partial.initialize());
    assert.ok(error instanceof IdentityConfigurationError);
    assert.equal(error.problems.length, 2);
  });
});

describe('login at a Salesforce-style IdP', () => {
  let idp: FakeIdp;
  const identityUrl = 'https://login.salesforce.com/id/00Dxx0000001gPL/005xx000001Sv6e';
  before(async () => {
    idp = await startFakeIdp({
      mode: 'oidc',
      redirectUris: [REDIRECT_URI],
      autoLoginAs: 'sam',
      tokenResponseExtras: {
        id: identityUrl,
        instance_url: 'https://example.my.salesforce.com',
        signature: 'c2ln',
      },
    });
  });
  after(() => idp.close());

  it('names the user by the token response id and keeps instance_url and signature', async () => {
    const client = clientFor(idp, { scope: 'api refresh_token' });
    const callback = await redirectBack(client, idp, 'state-sf');
    const userinfoCalls = idp.counts.userinfo;
    const tokens = await client.completeLogin({ params: callback.searchParams, state: 'state-sf' });
    assert.equal(tokens.userId, identityUrl);
    assert.equal(
      idp.counts.userinfo,
      userinfoCalls,
      'userinfo is not needed when the response names the user',
    );
    assert.deepEqual(tokens.extras, {
      id: identityUrl,
      instance_url: 'https://example.my.salesforce.com',
      signature: 'c2ln',
    });
  });
});
