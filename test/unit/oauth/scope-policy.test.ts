import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileScopePolicy, stepUpOnlyScopes } from '../../../src/oauth/scope-policy.ts';

describe('the step-up scope policy', () => {
  const required = compileScopePolicy({
    rules: [
      { method: 'tools/call', scopes: ['tools'] },
      { method: 'tools/call', name: 'delete_*', scopes: ['files:write'] },
      { method: 'tools/call', name: 'export', scopes: ['files:read', 'tools'] },
      { method: 'resources/read', name: 'file:///private/*', scopes: ['private'] },
    ],
    includes: {},
  });

  it('adds up the scopes of every matching rule, without repeats', () => {
    assert.deepEqual(required({ method: 'tools/call', name: 'delete_file' }), ['tools', 'files:write']);
    assert.deepEqual(required({ method: 'tools/call', name: 'export' }), ['tools', 'files:read']);
    assert.deepEqual(required({ method: 'tools/call', name: 'search' }), ['tools']);
  });

  it('matches names exactly, or with * for any run of characters, and treats the rest literally', () => {
    assert.deepEqual(required({ method: 'tools/call', name: 'undelete_file' }), ['tools']);
    assert.deepEqual(required({ method: 'tools/call', name: 'delete_' }), ['tools', 'files:write']);
    assert.deepEqual(required({ method: 'tools/call', name: 'exports' }), ['tools']);
    assert.deepEqual(required({ method: 'resources/read', name: 'file:///private/a/b.txt' }), ['private']);
    assert.deepEqual(required({ method: 'resources/read', name: 'file:///privateer' }), []);
  });

  it('requires nothing of methods without rules, and named rules never match a request without a name', () => {
    assert.deepEqual(required({ method: 'tools/list' }), []);
    assert.deepEqual(required({ method: 'resources/read' }), []);
    assert.deepEqual(required({ method: 'tools/call' }), ['tools']);
  });

  it('counts as step-up-only every scope that satisfies a rule, through includes too', () => {
    const policy = {
      rules: [{ method: 'tools/call', name: 'delete_*', scopes: ['files:write'] }],
      includes: { admin: ['files:write'], 'files:write': ['files:read'] },
    };
    assert.deepEqual([...stepUpOnlyScopes(policy, ['openid', 'files:read', 'files:write', 'admin'])].sort(), [
      'admin',
      'files:write',
    ]);
  });
});
