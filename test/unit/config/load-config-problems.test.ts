import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpMcpServer, loadOk, loadProblems, MINIMAL_ENV, problemFor } from './config-fixtures.ts';

describe('loadConfig problems', () => {
  it('reports every mistake at once, each naming its variable', () => {
    const problems = loadProblems({
      ...MINIMAL_ENV,
      PORT: '70000',
      LOCAL_INSECURE: 'maybe',
      MAX_REQUESTS: '60s',
      LOG_LEVEL: 'loud',
      MCP_AUTH_PROXY_ALLOWED_ORIGINS: 'https://app.example.com/path',
    });
    assert.deepEqual(problems.map((problem) => problem.variable).sort(), [
      'LOCAL_INSECURE',
      'LOG_LEVEL',
      'MAX_REQUESTS',
      'MCP_AUTH_PROXY_ALLOWED_ORIGINS',
      'PORT',
    ]);
    for (const problem of problems) assert.ok(problem.message.startsWith(problem.variable), problem.message);
    assert.match(problemFor(problems, 'PORT').message, /from 0 to 65535, got "70000"/);
    assert.match(
      problemFor(problems, 'LOG_LEVEL').message,
      /one of fatal, error, warn, info, debug, trace, silent/,
    );
  });

  it('names every missing required variable with an example of a valid value', () => {
    const problems = loadProblems({});
    assert.deepEqual(problems.map((problem) => problem.variable).sort(), [
      'BASE_URL',
      'IDENTITY_CLIENT_ID',
      'IDENTITY_SERVER_URL',
      'MCP_SERVER_URL',
    ]);
    assert.match(
      problemFor(problems, 'BASE_URL').message,
      /BASE_URL is required.*BASE_URL=https:\/\/mcp\.example\.com/,
    );
    assert.match(problemFor(problems, 'IDENTITY_SERVER_URL').message, /IDENTITY_SERVER_METADATA_FILE/);
  });

  it('drops a trailing slash from BASE_URL so no URL is built with a double slash', () => {
    const { config } = loadOk({ ...MINIMAL_ENV, BASE_URL: 'https://mcp.example.com/' });
    assert.equal(config.baseUrl, 'https://mcp.example.com');
    assert.equal(config.identity.redirectUri, 'https://mcp.example.com/interaction/identity/callback');
    assert.equal(config.servers[0].resource, 'https://mcp.example.com/mcp');
  });

  it('keeps a non-default port in BASE_URL and drops the default one', () => {
    assert.equal(
      loadOk({ ...MINIMAL_ENV, BASE_URL: 'https://mcp.example.com:8443' }).config.baseUrl,
      'https://mcp.example.com:8443',
    );
    assert.equal(
      loadOk({ ...MINIMAL_ENV, BASE_URL: 'https://MCP.example.com:443/' }).config.baseUrl,
      'https://mcp.example.com',
    );
  });

  for (const [label, value, pattern] of [
    ['a path', 'https://mcp.example.com/proxy', /have no path \(found "\/proxy"\)/],
    ['a query', 'https://mcp.example.com/?a=1', /no query or fragment/],
    ['a fragment', 'https://mcp.example.com/#x', /no query or fragment/],
    ['credentials', 'https://user:pw@mcp.example.com', /no user name or password/],
    ['another scheme', 'ftp://mcp.example.com', /use http:\/\/ or https:\/\//],
    ['no scheme', 'mcp.example.com', /be an absolute URL/],
  ] as const) {
    it(`refuses a BASE_URL with ${label}`, () => {
      const problem = problemFor(loadProblems({ ...MINIMAL_ENV, BASE_URL: value }), 'BASE_URL');
      assert.match(problem.message, pattern);
      assert.match(problem.message, /origin such as https:\/\/mcp\.example\.com/);
    });
  }

  it('requires https for BASE_URL unless LOCAL_INSECURE=true, and says how to allow http', () => {
    const env = { ...MINIMAL_ENV, BASE_URL: 'http://localhost:3000' };
    assert.match(
      problemFor(loadProblems(env), 'BASE_URL').message,
      /must use https:\/\/.*LOCAL_INSECURE=true/,
    );
    const { config } = loadOk({ ...env, LOCAL_INSECURE: 'true' });
    assert.equal(config.baseUrl, 'http://localhost:3000');
    assert.equal(config.localInsecure, true);
  });

  it('warns when LOCAL_INSECURE=true in production', () => {
    const { warnings } = loadOk({ ...MINIMAL_ENV, LOCAL_INSECURE: 'true', NODE_ENV: 'production' });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /LOCAL_INSECURE=true while NODE_ENV=production/);
  });

  it('accepts true/false, 1/0 and yes/no in any case for booleans and refuses anything else', () => {
    for (const [raw, expected] of [
      ['true', true],
      ['TRUE', true],
      ['1', true],
      ['Yes', true],
      ['false', false],
      ['0', false],
      ['NO', false],
    ] as const) {
      assert.equal(
        loadOk({ ...MINIMAL_ENV, MCP_AUTH_PROXY_VERIFY_RELEASE: raw }).config.verifyRelease,
        expected,
        raw,
      );
    }
    for (const raw of ['on', 'y', 'truee', '2']) {
      const problem = problemFor(loadProblems({ ...MINIMAL_ENV, LOCAL_INSECURE: raw }), 'LOCAL_INSECURE');
      assert.match(problem.message, /must be true or false \(also accepted: 1\/0, yes\/no\)/);
    }
  });

  it('refuses integers with units, signs, exponents or out of range', () => {
    for (const raw of ['60s', '-1', '1e3', '0x10', '1.5', '0']) {
      problemFor(loadProblems({ ...MINIMAL_ENV, MAX_REQUESTS_WINDOW: raw }), 'MAX_REQUESTS_WINDOW');
    }
    assert.equal(loadOk({ ...MINIMAL_ENV, PORT: '0' }).config.port, 0);
    assert.equal(
      loadOk({ ...MINIMAL_ENV, MCP_AUTH_PROXY_REFRESH_TOKEN_GRACE_SECONDS: '0' }).config.authorizationServer
        .refreshTokenReuseGraceSeconds,
      0,
    );
  });

  it('refuses a refresh-token reuse-detection window shorter than the reuse grace', () => {
    const problem = problemFor(
      loadProblems({
        ...MINIMAL_ENV,
        MCP_AUTH_PROXY_REFRESH_TOKEN_GRACE_SECONDS: '120',
        MCP_AUTH_PROXY_REFRESH_TOKEN_REUSE_DETECTION_SECONDS: '60',
      }),
      'MCP_AUTH_PROXY_REFRESH_TOKEN_REUSE_DETECTION_SECONDS',
    );
    assert.match(problem.message, /shorter than MCP_AUTH_PROXY_REFRESH_TOKEN_GRACE_SECONDS \(120\)/);
    for (const raw of ['0', '-1', '1d']) {
      problemFor(
        loadProblems({ ...MINIMAL_ENV, MCP_AUTH_PROXY_REFRESH_TOKEN_REUSE_DETECTION_SECONDS: raw }),
        'MCP_AUTH_PROXY_REFRESH_TOKEN_REUSE_DETECTION_SECONDS',
      );
    }
    assert.equal(
      loadOk({
        ...MINIMAL_ENV,
        MCP_AUTH_PROXY_REFRESH_TOKEN_GRACE_SECONDS: '60',
        MCP_AUTH_PROXY_REFRESH_TOKEN_REUSE_DETECTION_SECONDS: '60',
      }).config.authorizationServer.refreshTokenReuseDetectionSeconds,
      60,
    );
  });

  it('uses the path of MCP_SERVER_URL as the mount path and keeps its query', () => {
    const { config } = loadOk({
      ...MINIMAL_ENV,
      MCP_SERVER_URL: 'https://mcp-upstream.internal/v1/mcp?tenant=a',
    });
    assert.equal(config.servers[0].path, '/v1/mcp');
    assert.equal(httpMcpServer(config).url.search, '?tenant=a');
    assert.equal(config.servers[0].resource, 'https://mcp.example.com/v1/mcp');
  });

  it('refuses an MCP_SERVER_URL without a path, or whose path is one of the proxy routes', () => {
    for (const raw of ['http://127.0.0.1:3001', 'http://127.0.0.1:3001/']) {
      const problem = problemFor(loadProblems({ ...MINIMAL_ENV, MCP_SERVER_URL: raw }), 'MCP_SERVER_URL');
      assert.match(problem.message, /MCP_SERVER_URL must have a path such as \/mcp/);
    }
    for (const raw of [
      'http://127.0.0.1:3001/token',
      'http://127.0.0.1:3001/.well-known/mcp',
      'http://h/interaction/x',
    ]) {
      const problem = problemFor(loadProblems({ ...MINIMAL_ENV, MCP_SERVER_URL: raw }), 'MCP_SERVER_URL');
      assert.match(problem.message, /collides with the proxy's own/);
    }
    assert.match(
      problemFor(loadProblems({ ...MINIMAL_ENV, MCP_SERVER_URL: 'ws://127.0.0.1/mcp' }), 'MCP_SERVER_URL')
        .message,
      /absolute http:\/\/ or https:\/\/ URL/,
    );
  });

  it('parses the JSON variables of the MCP server command and names each bad entry', () => {
    const base = { ...MINIMAL_ENV, MCP_SERVER_RUN_COMMAND: 'node' };
    const { config } = loadOk({
      ...base,
      MCP_SERVER_RUN_ARGS_JSON: '["a", "b c"]',
      MCP_SERVER_RUN_ENV_JSON: '{"PORT":"3001"}',
    });
    assert.deepEqual(httpMcpServer(config).run?.args, ['a', 'b c']);
    assert.deepEqual(httpMcpServer(config).run?.env, { PORT: '3001' });

    const problems = loadProblems({
      ...base,
      MCP_SERVER_RUN_ARGS_JSON: '["a", null, {"x":1}]',
      MCP_SERVER_RUN_ENV_JSON: '{"PORT":3001,"OPTIONS":{"a":1},"LIST":["x"],"NOTHING":null}',
    });
    assert.match(
      problemFor(problems, 'MCP_SERVER_RUN_ARGS_JSON').message,
      /JSON array of strings.*item 1 is null, item 2 is an object/,
    );
    const envProblem = problemFor(problems, 'MCP_SERVER_RUN_ENV_JSON').message;
    assert.match(envProblem, /"OPTIONS" is an object, "LIST" is an array, "NOTHING" is null/);
    assert.doesNotMatch(envProblem, /"PORT" is/, 'a number is not a problem');

    const shapes = loadProblems({
      ...base,
      MCP_SERVER_RUN_ARGS_JSON: '{"a":1}',
      MCP_SERVER_RUN_ENV_JSON: '["x"]',
    });
    assert.match(problemFor(shapes, 'MCP_SERVER_RUN_ARGS_JSON').message, /got an object/);
    assert.match(problemFor(shapes, 'MCP_SERVER_RUN_ENV_JSON').message, /got an array/);

    const syntax = loadProblems({ ...base, MCP_SERVER_RUN_ARGS_JSON: "['a']" });
    assert.match(problemFor(syntax, 'MCP_SERVER_RUN_ARGS_JSON').message, /is not valid JSON/);
  });

  it('takes numbers and booleans in the MCP server JSON variables as text, as spawn did for the Heroku proxy', () => {
    const { config } = loadOk({
      ...MINIMAL_ENV,
      MCP_SERVER_RUN_COMMAND: 'node',
      // The Heroku proxy's README example and its .env-test, unchanged.
      MCP_SERVER_RUN_ENV_JSON:
        '{"PORT":3000,"BACKEND_API_URL":"https://mcp.example.com","DEBUG":true,"RATIO":0.5}',
      MCP_SERVER_RUN_ARGS_JSON: '["server.js","--port",3001,"--verbose",false]',
    });
    assert.deepEqual(httpMcpServer(config).run?.env, {
      PORT: '3000',
      BACKEND_API_URL: 'https://mcp.example.com',
      DEBUG: 'true',
      RATIO: '0.5',
    });
    assert.deepEqual(httpMcpServer(config).run?.args, ['server.js', '--port', '3001', '--verbose', 'false']);
  });

  it('warns that MCP_SERVER_RUN_* variables are ignored without MCP_SERVER_RUN_COMMAND', () => {
    const { config, warnings } = loadOk({
      ...MINIMAL_ENV,
      MCP_SERVER_RUN_ARGS_JSON: 'not json',
      MCP_SERVER_RUN_DIR: '/nowhere',
    });
    assert.equal(httpMcpServer(config).run, undefined);
    assert.deepEqual(warnings, [
      'MCP_SERVER_RUN_ARGS_JSON, MCP_SERVER_RUN_DIR are ignored because MCP_SERVER_RUN_COMMAND is not set',
    ]);
  });

  it('checks the identity callback paths', () => {
    const problems = loadProblems({
      ...MINIMAL_ENV,
      IDENTITY_CALLBACK_PATH: 'callback',
      IDENTITY_UNIQUE_CALLBACK_PATH: '/interaction/identity/callback2',
    });
    assert.match(problemFor(problems, 'IDENTITY_CALLBACK_PATH').message, /starts with \//);
    assert.match(
      problemFor(problems, 'IDENTITY_UNIQUE_CALLBACK_PATH').message,
      /must contain the path segment :uid/,
    );
    const { config } = loadOk({ ...MINIMAL_ENV, IDENTITY_CALLBACK_PATH: '/oauth/callback' });
    assert.equal(config.identity.redirectUri, 'https://mcp.example.com/oauth/callback');
  });

  it('normalises allowed origins and the user id header', () => {
    const { config } = loadOk({
      ...MINIMAL_ENV,
      MCP_AUTH_PROXY_ALLOWED_ORIGINS:
        'https://App.example.com/, http://localhost:5173,,https://app.example.com',
      MCP_AUTH_PROXY_USER_ID_HEADER: 'X-User-Id',
    });
    assert.deepEqual(config.proxy.allowedOrigins, ['https://app.example.com', 'http://localhost:5173']);
    assert.equal(config.proxy.userIdHeader, 'x-user-id');
    const problems = loadProblems({ ...MINIMAL_ENV, MCP_AUTH_PROXY_USER_ID_HEADER: 'Authorization' });
    assert.match(problemFor(problems, 'MCP_AUTH_PROXY_USER_ID_HEADER').message, /manages that header itself/);
    problemFor(
      loadProblems({ ...MINIMAL_ENV, MCP_AUTH_PROXY_USER_ID_HEADER: 'x user' }),
      'MCP_AUTH_PROXY_USER_ID_HEADER',
    );
  });

  it('refuses a scope that RFC 6749 does not allow', () => {
    const problems = loadProblems({ ...MINIMAL_ENV, PROVIDER_SCOPE: 'openid "quoted"' });
    assert.match(problemFor(problems, 'PROVIDER_SCOPE').message, /RFC 6749 §3.3/);
    problemFor(loadProblems({ ...MINIMAL_ENV, IDENTITY_SCOPE: ',,' }), 'IDENTITY_SCOPE');
  });

  it("maps the Heroku proxy's winston log levels to pino levels with a warning", () => {
    const { config, warnings } = loadOk({ ...MINIMAL_ENV, LOG_LEVEL: 'Verbose' });
    assert.equal(config.log.level, 'debug');
    assert.deepEqual(warnings, ['LOG_LEVEL is the winston level "verbose"; using the pino level "debug"']);
    assert.equal(loadOk({ ...MINIMAL_ENV, LOG_LEVEL: 'WARN' }).config.log.level, 'warn');
  });

  it('accepts an http(s) favicon URL only', () => {
    assert.equal(
      loadOk({ ...MINIMAL_ENV, BRANDING_FAVICON: 'https://cdn.example.com/f.ico' }).config.pages
        .brandingFaviconUrl,
      'https://cdn.example.com/f.ico',
    );
    problemFor(loadProblems({ ...MINIMAL_ENV, BRANDING_FAVICON: '/favicon.ico' }), 'BRANDING_FAVICON');
  });
});
