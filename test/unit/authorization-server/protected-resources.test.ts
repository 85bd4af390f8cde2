import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  defaultedScope,
  grantedScopes,
  requestedResources,
  type ProtectedResource,
  type ProtectedResources,
} from '../../../src/authorization-server/protected-resources.ts';

const NOTES: ProtectedResource = {
  id: 'notes',
  displayName: undefined,
  resource: 'https://proxy.example/notes/mcp',
  scopes: ['openid', 'offline_access', 'notes:read', 'admin'],
  defaultScopes: ['openid', 'offline_access', 'notes:read'],
};
const TICKETS: ProtectedResource = {
  id: 'tickets',
  displayName: 'Tickets',
  resource: 'https://proxy.example/tickets/mcp',
  // `admin` is an everyday scope here, and a step-up scope of NOTES.
  scopes: ['openid', 'offline_access', 'tickets:read', 'admin'],
  defaultScopes: ['openid', 'offline_access', 'tickets:read', 'admin'],
};
const SERVERS: ProtectedResources = [NOTES, TICKETS];

describe('the servers an authorization request names', () => {
  it('finds each server once, in the order asked, in any spelling of its resource', () => {
    const asked = ['HTTPS://PROXY.EXAMPLE/tickets/mcp/', NOTES.resource, TICKETS.resource];
    assert.deepEqual(requestedResources(SERVERS, asked), [TICKETS, NOTES]);
    assert.deepEqual(requestedResources(SERVERS, NOTES.resource), [NOTES]);
  });

  it('is the first server when the request names none', () => {
    assert.deepEqual(requestedResources(SERVERS, undefined), [NOTES]);
    assert.deepEqual(requestedResources(SERVERS, []), [NOTES]);
  });
});

describe('the scope an authorization request goes on with', () => {
  it("keeps the requested scopes a named server knows, and drops the others'", () => {
    assert.deepEqual(defaultedScope(['openid', 'tickets:read', 'claudeai'], [NOTES]), ['openid']);
  });

  it('is the default scopes of a single server when the request names none it knows', () => {
    assert.deepEqual(defaultedScope([], [NOTES]), NOTES.defaultScopes);
    assert.deepEqual(defaultedScope(['read', 'write'], [TICKETS]), TICKETS.defaultScopes);
  });

  it('adds the defaults of each named server the request names no scope of', () => {
    assert.deepEqual(defaultedScope(['notes:read'], [NOTES, TICKETS]), [
      'notes:read',
      'openid',
      'offline_access',
      'tickets:read',
    ]);
  });

  it("never adds as one server's default a scope another named server grants only through step-up", () => {
    const scope = defaultedScope([], [NOTES, TICKETS]);
    assert.ok(!scope.includes('admin'), scope.join(' '));
    assert.ok(defaultedScope(['admin'], [NOTES, TICKETS]).includes('admin'), 'unless the client asks for it');
  });
});

describe('the scopes a grant holds for one server', () => {
  it('is the requested scopes that server knows', () => {
    assert.deepEqual(grantedScopes('openid notes:read tickets:read', TICKETS), ['openid', 'tickets:read']);
  });

  it("is the server's default scopes when the request has no scope at all", () => {
    assert.deepEqual(grantedScopes(undefined, TICKETS), TICKETS.defaultScopes);
    assert.deepEqual(grantedScopes('', NOTES), NOTES.defaultScopes);
  });
});
