import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectiveScopes, missingScopes, scopeChallengeFor } from '../../../src/oauth/scope-challenge.ts';

const PRM = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';

// req: A2.5, A2.6
describe('the insufficient_scope challenge (step-up)', () => {
  it('answers 403 with error, every needed scope in one challenge, and the metadata URL', () => {
    const challenge = scopeChallengeFor({
      operation: { method: 'tools/call', name: 'delete_file' },
      required: ['files:write', 'files:delete'],
      granted: ['openid', 'files:read'],
      resourceMetadataUrl: PRM,
    });
    assert.ok(challenge);
    assert.equal(challenge.status, 403);
    assert.equal(challenge.body.error, 'insufficient_scope');
    assert.match(challenge.wwwAuthenticate, /^Bearer /);
    assert.match(challenge.wwwAuthenticate, /error="insufficient_scope"/);
    assert.match(challenge.wwwAuthenticate, new RegExp(`resource_metadata="${PRM.replaceAll('.', '\\.')}"`));
    assert.match(challenge.wwwAuthenticate, /scope="openid files:read files:write files:delete"/);
    assert.match(
      challenge.body.error_description,
      /tools\/call delete_file needs the scope files:write files:delete/,
    );
  });

  it('keeps the granted scopes in the challenge (2025-11-25 clients replace their scope with it)', () => {
    const challenge = scopeChallengeFor({
      operation: { method: 'tools/call', name: 'x' },
      required: ['b'],
      granted: ['a'],
      resourceMetadataUrl: PRM,
    });
    assert.match(challenge?.wwwAuthenticate ?? '', /scope="a b"/);
  });

  // req: A1.7
  it('never challenges offline_access', () => {
    const challenge = scopeChallengeFor({
      operation: { method: 'resources/read', name: 'file:///x' },
      required: ['files:read'],
      granted: ['openid', 'offline_access'],
      resourceMetadataUrl: PRM,
    });
    assert.doesNotMatch(challenge?.wwwAuthenticate ?? '', /offline_access/);
  });

  it('has nothing to say when the token holds what is required', () => {
    assert.equal(
      scopeChallengeFor({
        operation: { method: 'tools/list' },
        required: ['openid'],
        granted: ['openid', 'offline_access'],
        resourceMetadataUrl: PRM,
      }),
      undefined,
    );
  });

  it('accounts for scope hierarchies: a broader granted scope covers a narrower one (2026-07-28 §11.1.2)', () => {
    const hierarchy = { 'files:admin': ['files:write'], 'files:write': ['files:read'] };
    assert.deepEqual([...effectiveScopes(['files:admin'], hierarchy)].sort(), [
      'files:admin',
      'files:read',
      'files:write',
    ]);
    assert.deepEqual(missingScopes(['files:read'], ['files:admin'], hierarchy), []);
    assert.deepEqual(missingScopes(['files:admin'], ['files:write'], hierarchy), ['files:admin']);
    assert.equal(
      scopeChallengeFor({
        operation: { method: 'tools/call', name: 'read' },
        required: ['files:read'],
        granted: ['files:write'],
        resourceMetadataUrl: PRM,
        hierarchy,
      }),
      undefined,
    );
  });
});
