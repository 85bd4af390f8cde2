import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scopeIncludes, scopeRules } from '../../../src/config/parsers/index.ts';
import { loadOk, loadProblems, MINIMAL_ENV, problemFor } from './config-fixtures.ts';

const CONTEXT = { cwd: '/srv/app' };

describe('MCP_AUTH_PROXY_SCOPE_RULES', () => {
  it('reads method-wide and named rules separated by semicolons or lines, with globs and several scopes', () => {
    const parsed = scopeRules(
      'tools/call delete_*=files:write audit; resources/read = files:read\n prompts/get *=prompts',
      CONTEXT,
    );
    assert.deepEqual(parsed, {
      ok: true,
      value: [
        { method: 'tools/call', name: 'delete_*', scopes: ['files:write', 'audit'] },
        { method: 'resources/read', scopes: ['files:read'] },
        { method: 'prompts/get', scopes: ['prompts'] },
      ],
    });
  });

  it('names every malformed rule at once', () => {
    const parsed = scopeRules(
      'tools/call; Tools/Call=a; tools/list x=a; tools/call a b=c; tools/call x=openid; tools/call x=; =a',
      CONTEXT,
    );
    assert.equal(parsed.ok, false);
    const messages = parsed.ok ? [] : parsed.messages.join('\n');
    assert.match(String(messages), /"tools\/call" has no "="/);
    assert.match(String(messages), /"Tools\/Call", which is not an MCP method/);
    assert.match(String(messages), /only tools\/call, prompts\/get, resources\/read requests have a name/);
    assert.match(String(messages), /more than one name/);
    assert.match(String(messages), /"openid", which cannot be a step-up scope/);
    assert.match(String(messages), /"tools\/call x=" is incomplete/);
    assert.match(String(messages), /"=a" is incomplete/);
  });
});

describe('MCP_AUTH_PROXY_SCOPE_INCLUDES', () => {
  it('reads scope=included entries and merges repeated ones', () => {
    assert.deepEqual(scopeIncludes('files:write=files:read; admin=files:write; admin=audit', CONTEXT), {
      ok: true,
      value: { 'files:write': ['files:read'], admin: ['files:write', 'audit'] },
    });
  });

  it('refuses an entry whose left side is not one resource scope', () => {
    const parsed = scopeIncludes('a b=c; offline_access=c', CONTEXT);
    assert.equal(parsed.ok, false);
    assert.equal(parsed.ok ? 0 : parsed.messages.length, 2);
  });
});

describe('the step-up policy in the configuration', () => {
  const env = {
    ...MINIMAL_ENV,
    PROVIDER_SCOPE: 'openid offline_access files:read files:write admin',
    MCP_AUTH_PROXY_SCOPE_RULES: 'tools/call delete_*=files:write; resources/read=files:read',
    MCP_AUTH_PROXY_SCOPE_INCLUDES: 'admin=files:write; files:write=files:read',
  };

  it('keeps every scope that satisfies a rule, directly or through includes, out of the default scopes', () => {
    const { config } = loadOk(env);
    assert.deepEqual(config.authorizationServer.scopes, [
      'openid',
      'offline_access',
      'files:read',
      'files:write',
      'admin',
    ]);
    assert.deepEqual(config.authorizationServer.defaultScopes, ['openid', 'offline_access']);
    assert.equal(config.authorizationServer.scopePolicy.rules.length, 2);
  });

  it('uses all of PROVIDER_SCOPE as the default scopes without rules', () => {
    const { config } = loadOk({ ...MINIMAL_ENV, PROVIDER_SCOPE: 'openid offline_access files:read' });
    assert.deepEqual(config.authorizationServer.defaultScopes, ['openid', 'offline_access', 'files:read']);
    assert.deepEqual(config.authorizationServer.scopePolicy.rules, []);
  });

  it('refuses rules and includes that name scopes PROVIDER_SCOPE does not grant', () => {
    const problems = loadProblems({
      ...env,
      MCP_AUTH_PROXY_SCOPE_RULES: 'tools/call=tools:call',
      MCP_AUTH_PROXY_SCOPE_INCLUDES: 'superuser=files:read',
    });
    assert.match(
      problemFor(problems, 'MCP_AUTH_PROXY_SCOPE_RULES').message,
      /requires tools:call, which PROVIDER_SCOPE does not list; add it to PROVIDER_SCOPE/,
    );
    assert.match(problemFor(problems, 'MCP_AUTH_PROXY_SCOPE_INCLUDES').message, /names superuser/);
  });

  it('refuses rules that leave nothing for a client that names no scope', () => {
    const problems = loadProblems({
      ...MINIMAL_ENV,
      PROVIDER_SCOPE: 'files:read',
      MCP_AUTH_PROXY_SCOPE_RULES: 'tools/call=files:read',
    });
    assert.match(problemFor(problems, 'MCP_AUTH_PROXY_SCOPE_RULES').message, /leaves nothing to grant/);
  });
});
