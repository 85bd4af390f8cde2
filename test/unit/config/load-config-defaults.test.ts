import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VARIABLES } from '../../../src/config/index.ts';
import { httpMcpServer, loadOk, MINIMAL_ENV } from './config-fixtures.ts';

describe('loadConfig defaults', () => {
  it('builds a complete configuration from the four variables without a default', () => {
    const { config, warnings } = loadOk(MINIMAL_ENV, '/srv/app');
    assert.deepEqual(warnings, []);
    assert.equal(config.baseUrl, 'https://mcp.example.com');
    assert.equal(config.port, 3000);
    assert.equal(config.localInsecure, false);
    assert.equal(config.nodeEnv, undefined);
    assert.equal(config.verifyRelease, false);
    assert.equal(httpMcpServer(config).url.href, 'http://127.0.0.1:3001/mcp');
    assert.equal(config.servers[0].path, '/mcp');
    assert.equal(config.servers[0].resource, 'https://mcp.example.com/mcp');
    assert.equal(httpMcpServer(config).run, undefined);
    assert.deepEqual(config.store, { kind: 'sqlite', path: '/srv/app/.mcp-auth-proxy/store.sqlite' });
    assert.deepEqual(config.keys, {
      signingKeys: undefined,
      encryptionKey: { kind: 'generated-file', path: '/srv/app/.mcp-auth-proxy/encryption.key' },
    });
    assert.deepEqual(config.authorizationServer, {
      scopes: ['openid', 'offline_access'],
      defaultScopes: ['openid', 'offline_access'],
      scopePolicy: { rules: [], includes: {} },
      accessTokenTtlSeconds: 3600,
      refreshTokenTtlSeconds: 1_209_600,
      refreshTokenReuseGraceSeconds: 60,
      refreshTokenReuseDetectionSeconds: 86_400,
      cimdAllowPrivateAddresses: false,
    });
    assert.equal(config.identity.serverUrl?.href, 'https://id.example.com/');
    assert.equal(config.identity.metadataFile, undefined);
    assert.equal(config.identity.clientId, 'client-123');
    assert.equal(config.identity.clientSecret, undefined);
    assert.deepEqual(config.identity.scopes, ['openid', 'profile', 'email']);
    assert.equal(config.identity.callbackPath, '/interaction/identity/callback');
    assert.equal(config.identity.uniqueCallbackPath, '/interaction/:uid/identity/callback');
    assert.equal(config.identity.redirectUri, 'https://mcp.example.com/interaction/identity/callback');
    assert.equal(config.identity.timeoutMs, 10_000);
    assert.deepEqual(config.pages, {
      viewsPath: undefined,
      brandingTitle: 'Login for Model Context Protocol',
      brandingFaviconUrl: undefined,
    });
    assert.deepEqual(config.proxy, {
      maxBodyBytes: 4_194_304,
      userIdHeader: 'x-authorization-user-id',
      allowedOrigins: [],
      shutdownGraceMs: 10_000,
    });
    assert.deepEqual(config.rateLimit, {
      authMaxRequests: 60,
      authWindowMs: 60_000,
      mcpMaxRequests: 1200,
      mcpWindowMs: 60_000,
    });
    assert.deepEqual(config.log, { level: 'info', appName: 'mcp-auth-proxy', environment: 'development' });
  });

  it('keeps every Heroku proxy variable under its name with its documented default', () => {
    // heroku-compat.md §3: the variables (and defaults) a Heroku deployment already sets.
    const herokuDefaults: Record<string, string | undefined> = {
      BASE_URL: 'required',
      LOCAL_INSECURE: 'false',
      MCP_SERVER_URL: 'required',
      MCP_SERVER_RUN_COMMAND: undefined,
      MCP_SERVER_RUN_ARGS_JSON: undefined,
      MCP_SERVER_RUN_DIR: undefined,
      MCP_SERVER_RUN_ENV_JSON: undefined,
      MCP_AUTH_PROXY_REDIS_URL: undefined,
      MCP_AUTH_PROXY_REDIS_PREFIX: 'oidc:',
      OIDC_PROVIDER_JWKS: undefined,
      PROVIDER_SCOPE: 'openid offline_access',
      OIDC_PROVIDER_VIEWS_PATH: undefined,
      IDENTITY_SERVER_URL: undefined,
      IDENTITY_CLIENT_ID: 'required',
      IDENTITY_CLIENT_SECRET: undefined,
      IDENTITY_SCOPE: 'openid profile email',
      IDENTITY_SERVER_METADATA_FILE: undefined,
      IDENTITY_CALLBACK_PATH: '/interaction/identity/callback',
      IDENTITY_UNIQUE_CALLBACK_PATH: '/interaction/:uid/identity/callback',
      MAX_REQUESTS: '60',
      MAX_REQUESTS_WINDOW: '60000',
      MCP_AUTH_PROXY_VERIFY_RELEASE: 'false',
      NODE_ENV: undefined,
      BRANDING_TITLE: 'Login for Model Context Protocol',
      BRANDING_FAVICON: undefined,
      APP_NAME: 'mcp-auth-proxy',
      ENVIRONMENT: undefined,
      LOG_LEVEL: 'info',
      PORT: undefined,
    };
    for (const [name, expected] of Object.entries(herokuDefaults)) {
      const variable = VARIABLES.find((candidate) => candidate.name === name);
      assert.ok(variable, `${name} is missing from the registry`);
      if (expected === 'required') assert.equal(variable.default.kind, 'required', name);
      else if (expected !== undefined)
        assert.deepEqual(variable.default, { kind: 'value', raw: expected }, name);
      assert.notEqual(variable.heroku, 'new', `${name} exists in the Heroku proxy`);
    }
  });

  it('loads a configuration written for the Heroku proxy unchanged', () => {
    const { config } = loadOk({
      BASE_URL: 'https://my-app.herokuapp.com',
      PORT: '41234',
      MCP_SERVER_URL: 'http://localhost:3000/mcp',
      MCP_SERVER_RUN_COMMAND: 'node',
      MCP_SERVER_RUN_ARGS_JSON: '["dist/index.js"]',
      MCP_SERVER_RUN_DIR: '/',
      MCP_SERVER_RUN_ENV_JSON: '{"PORT":"3000","HEROKU_API_KEY":"k"}',
      MCP_AUTH_PROXY_REDIS_URL: 'rediss://:pw@ec2-1-2-3-4.compute-1.amazonaws.com:12345',
      MCP_AUTH_PROXY_ENCRYPTION_KEY: 'a'.repeat(64),
      IDENTITY_SERVER_URL: 'https://id.heroku.com',
      IDENTITY_CLIENT_ID: 'heroku-client',
      IDENTITY_CLIENT_SECRET: 'heroku-secret',
      IDENTITY_SCOPE: 'global',
      MAX_REQUESTS: '1',
      NODE_ENV: 'production',
    });
    assert.deepEqual(config.identity.scopes, ['global']);
    assert.equal(config.rateLimit.authMaxRequests, 1);
    assert.equal(config.port, 41234);
    assert.deepEqual(httpMcpServer(config).run?.args, ['dist/index.js']);
    assert.deepEqual(httpMcpServer(config).run?.env, { PORT: '3000', HEROKU_API_KEY: 'k' });
    assert.equal(httpMcpServer(config).run?.cwd, '/');
    assert.deepEqual(config.store, {
      kind: 'redis',
      topology: { kind: 'single', url: 'rediss://:pw@ec2-1-2-3-4.compute-1.amazonaws.com:12345' },
      keyPrefix: 'oidc:',
      tlsRejectUnauthorized: false,
    });
    assert.equal(config.log.environment, 'production');
  });

  it('runs the MCP server with the documented defaults when only the command is set', () => {
    const { config } = loadOk({ ...MINIMAL_ENV, MCP_SERVER_RUN_COMMAND: 'npx' }, '/srv/app');
    assert.deepEqual(httpMcpServer(config).run, {
      command: 'npx',
      args: [],
      cwd: '/srv/app',
      env: {},
      startTimeoutMs: 30_000,
      exitWithChild: false,
    });
  });

  it('treats a blank value as unset', () => {
    const { config } = loadOk({ ...MINIMAL_ENV, PORT: '', LOG_LEVEL: '   ', IDENTITY_CLIENT_SECRET: '' });
    assert.equal(config.port, 3000);
    assert.equal(config.log.level, 'info');
    assert.equal(config.identity.clientSecret, undefined);
  });

  it('takes the log environment from ENVIRONMENT, else NODE_ENV, else development', () => {
    assert.equal(loadOk({ ...MINIMAL_ENV, NODE_ENV: 'test' }).config.log.environment, 'test');
    assert.equal(
      loadOk({ ...MINIMAL_ENV, NODE_ENV: 'test', ENVIRONMENT: 'staging' }).config.log.environment,
      'staging',
    );
  });

  it('splits scope lists on spaces and commas alike', () => {
    const { config } = loadOk({
      ...MINIMAL_ENV,
      PROVIDER_SCOPE: 'openid, offline_access,mcp:tools',
      IDENTITY_SCOPE: 'a,b c',
    });
    assert.deepEqual(config.authorizationServer.scopes, ['openid', 'offline_access', 'mcp:tools']);
    assert.deepEqual(config.identity.scopes, ['a', 'b', 'c']);
  });
});
