import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identityFromClaims, parseStoredIdentity, serializeIdentity } from '../../../src/policy/index.ts';

const PROTOCOL = { iss: 'https://idp.example', aud: 'proxy', exp: 2, iat: 1, nonce: 'n', at_hash: 'h' };

describe('building the identity from IdP claims', () => {
  it('reads Okta: groups from the id_token, protocol claims left out', () => {
    const identity = identityFromClaims({
      accountId: '00u1abcd',
      idTokenClaims: {
        ...PROTOCOL,
        sub: '00u1abcd',
        email: 'Alice@Example.com',
        email_verified: true,
        groups: ['Everyone', 'finance'],
      },
    });
    assert.equal(identity.accountId, '00u1abcd');
    assert.equal(identity.email, 'alice@example.com');
    assert.equal(identity.emailDomain, 'example.com');
    assert.deepEqual(identity.groups, ['Everyone', 'finance']);
    assert.deepEqual(identity.roles, []);
    assert.equal(identity.claims['exp'], undefined);
    assert.equal(identity.claims['nonce'], undefined);
    assert.equal(identity.claims['iss'], 'https://idp.example');
    assert.ok(
      Object.isFrozen(identity) && Object.isFrozen(identity.groups) && Object.isFrozen(identity.claims),
    );
  });

  it('takes groups from userinfo over the id_token (Okta sends them only there when asked)', () => {
    const identity = identityFromClaims({
      accountId: 'u',
      idTokenClaims: { sub: 'u', email: 'a@example.com' },
      userinfo: { sub: 'u', groups: ['finance'], department: 'support' },
    });
    assert.deepEqual(identity.groups, ['finance']);
    assert.equal(identity.claims['department'], 'support');
  });

  it('ignores userinfo that describes another subject (OIDC Core 5.3.2)', () => {
    const identity = identityFromClaims({
      accountId: 'u',
      idTokenClaims: { sub: 'u', groups: ['staff'] },
      userinfo: { sub: 'someone-else', groups: ['admins'] },
    });
    assert.deepEqual(identity.groups, ['staff']);
  });

  it('reads Entra: app roles and group ids; email only from the claim named for it', () => {
    const claims = {
      ...PROTOCOL,
      sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
      oid: '00000000-0000-0000-66f3-3332eca7ea81',
      tid: '9122040d-6c67-4c5b-b112-36a304b66dad',
      preferred_username: 'Alice@Contoso.com',
      roles: ['Tickets.Admin', 'Tickets.Read'],
      groups: ['c8b4a9b2-0000-4000-8000-000000000001'],
      aio: 'opaque',
      uti: 'opaque',
      rh: 'opaque',
    };
    const byDefault = identityFromClaims({ accountId: 'oid', idTokenClaims: claims });
    assert.equal(byDefault.email, undefined);
    assert.equal(byDefault.emailDomain, undefined);
    assert.deepEqual(byDefault.roles, ['Tickets.Admin', 'Tickets.Read']);
    assert.deepEqual(byDefault.groups, ['c8b4a9b2-0000-4000-8000-000000000001']);
    assert.equal(byDefault.claims['aio'], undefined);
    const named = identityFromClaims(
      { accountId: 'oid', idTokenClaims: claims },
      { email: 'preferred_username' },
    );
    assert.equal(named.email, 'alice@contoso.com');
    assert.equal(named.emailDomain, 'contoso.com');
  });

  it('reads Keycloak: realm roles by default, client roles and full-path groups when named', () => {
    const claims = {
      sub: 'f:1',
      email: 'bob@example.org',
      email_verified: true,
      realm_access: { roles: ['offline_access', 'staff'] },
      resource_access: { 'mcp-proxy': { roles: ['deployer'] } },
      groups: ['/staff/eng'],
    };
    const byDefault = identityFromClaims({ accountId: 'f:1', idTokenClaims: claims });
    assert.deepEqual(byDefault.roles, ['offline_access', 'staff']);
    assert.deepEqual(byDefault.groups, ['/staff/eng']);
    const named = identityFromClaims(
      { accountId: 'f:1', idTokenClaims: claims },
      { roles: ['realm_access.roles', 'resource_access.mcp-proxy.roles'] },
    );
    assert.deepEqual(named.roles, ['offline_access', 'staff', 'deployer']);
  });

  it('reads Google: a verified email and its domain; an unverified email is left out unless trusted', () => {
    const google = { sub: '1', email: 'carol@example.com', email_verified: true, hd: 'example.com' };
    assert.equal(identityFromClaims({ accountId: '1', idTokenClaims: google }).emailDomain, 'example.com');
    const unverified = { sub: '1', email: 'mallory@example.com', email_verified: false };
    assert.equal(identityFromClaims({ accountId: '1', idTokenClaims: unverified }).email, undefined);
    const asText = { sub: '1', email: 'mallory@example.com', email_verified: 'false' };
    assert.equal(identityFromClaims({ accountId: '1', idTokenClaims: asText }).email, undefined);
    const trusted = identityFromClaims(
      { accountId: '1', idTokenClaims: unverified },
      { trustUnverifiedEmail: true },
    );
    assert.equal(trusted.email, 'mallory@example.com');
  });

  it('reads a GitHub-like profile: no id_token, a null email, the login as a claim', () => {
    const identity = identityFromClaims({
      accountId: '583231',
      userinfo: { login: 'octocat', id: 583231, email: null, name: 'The Octocat' },
    });
    assert.equal(identity.email, undefined);
    assert.deepEqual(identity.groups, []);
    assert.equal(identity.claims['login'], 'octocat');
  });

  it('reads Auth0 namespaced claims (names with dots and slashes) and Cognito groups', () => {
    const auth0 = identityFromClaims(
      { accountId: 'auth0|1', idTokenClaims: { 'https://example.com/roles': ['admin'] } },
      { roles: ['https://example.com/roles'] },
    );
    assert.deepEqual(auth0.roles, ['admin']);
    const cognito = identityFromClaims({ accountId: 'c', idTokenClaims: { 'cognito:groups': ['ops'] } });
    assert.deepEqual(cognito.groups, ['ops']);
  });

  it('splits a space-separated groups string, and joins several group claims without duplicates', () => {
    const identity = identityFromClaims({
      accountId: 'u',
      idTokenClaims: { groups: 'finance  staff', 'cognito:groups': ['staff', 'ops', 42] },
    });
    assert.deepEqual(identity.groups, ['finance', 'staff', 'ops', '42']);
  });

  it('keeps a claim named __proto__ out, rather than let it replace the prototype', () => {
    const identity = identityFromClaims({
      accountId: 'u',
      idTokenClaims: JSON.parse('{"__proto__":{"groups":["x"]}}'),
    });
    assert.equal(Object.getPrototypeOf(identity.claims), Object.prototype);
    assert.deepEqual(identity.groups, []);
  });

  it('refuses an email that is not one address', () => {
    for (const email of ['no-at-sign', '@example.com', 'a@', 'a b@example.com']) {
      assert.equal(identityFromClaims({ accountId: 'u', idTokenClaims: { email } }).email, undefined, email);
    }
  });
});

describe('keeping the identity with the grant', () => {
  it('reads back what it wrote', () => {
    const identity = identityFromClaims({
      accountId: 'u',
      idTokenClaims: { email: 'a@example.com', groups: ['g'], roles: ['r'], nested: { deep: [1] } },
    });
    const read = parseStoredIdentity(serializeIdentity(identity));
    assert.deepEqual(read, identity);
    assert.ok(read !== undefined && Object.isFrozen(read));
  });

  it('reads anything else as no identity', () => {
    for (const text of [
      'not json',
      'null',
      '{"v":2,"accountId":"u","groups":[],"roles":[],"claims":{}}',
      '{"v":1,"groups":[],"roles":[],"claims":{}}',
      '{"v":1,"accountId":"u","groups":[1],"roles":[],"claims":{}}',
      '{"v":1,"accountId":"u","groups":[],"roles":[],"claims":[]}',
      '{"v":1,"accountId":"u","groups":[],"roles":[],"claims":{},"email":3}',
    ]) {
      assert.equal(parseStoredIdentity(text), undefined, text);
    }
  });
});
