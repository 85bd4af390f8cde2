import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeConfig, type Config, type McpStdioServerConfig } from '../../../src/config/index.ts';
import { loadOk, loadProblems, MINIMAL_ENV, problemFor } from './config-fixtures.ts';

/** The smallest stdio environment: no MCP_SERVER_URL, a command to run per session. */
const { MCP_SERVER_URL: _url, ...WITHOUT_URL } = MINIMAL_ENV;
const STDIO_ENV: Readonly<Record<string, string>> = {
  ...WITHOUT_URL,
  MCP_SERVER_TRANSPORT: 'stdio',
  MCP_SERVER_RUN_COMMAND: 'npx',
  MCP_SERVER_RUN_ARGS_JSON: '["-y","@modelcontextprotocol/server-github"]',
};

function stdioServer(config: Config): McpStdioServerConfig {
  assert.equal(config.servers[0].transport, 'stdio');
  return config.servers[0];
}

describe('MCP_SERVER_TRANSPORT=stdio configuration', () => {
  it('defaults to http, where MCP_SERVER_URL stays required', () => {
    assert.equal(loadOk(MINIMAL_ENV).config.servers[0].transport, 'http');
    problemFor(loadProblems(WITHOUT_URL), 'MCP_SERVER_URL');
  });

  it('needs no MCP_SERVER_URL, serves /mcp, and fills in every default', () => {
    const { config, warnings } = loadOk(STDIO_ENV, '/srv/app');
    assert.deepEqual(config.servers[0], {
      id: 'default',
      displayName: undefined,
      scopes: ['openid', 'offline_access'],
      defaultScopes: ['openid', 'offline_access'],
      scopePolicy: { rules: [], includes: {} },
      rateLimit: { maxRequests: 1200, windowMs: 60_000 },
      userIdHeader: 'x-authorization-user-id',
      transport: 'stdio',
      path: '/mcp',
      resource: 'https://mcp.example.com/mcp',
      stdio: {
        command: 'npx',
        args: ['-y', '@modelcontextprotocol/server-github'],
        cwd: '/srv/app',
        env: {},
        tokenEnv: 'MCP_AUTH_TOKEN',
        userIdEnv: 'MCP_AUTH_USER_ID',
        idleTimeoutMs: 900_000,
        maxSessions: 50,
      },
    });
    assert.deepEqual(warnings, []);
  });

  it('reads the mount path, variable names, idle timeout and cap', () => {
    const { config } = loadOk({
      ...STDIO_ENV,
      MCP_SERVER_PATH: '/v1/mcp',
      MCP_SERVER_STDIO_TOKEN_ENV: 'GITHUB_PERSONAL_ACCESS_TOKEN',
      MCP_SERVER_STDIO_USER_ENV: 'GITHUB_USER',
      MCP_SERVER_STDIO_IDLE_TIMEOUT_MS: '60000',
      MCP_SERVER_STDIO_MAX_SESSIONS: '5',
      MCP_SERVER_RUN_ENV_JSON: '{"GITHUB_TOOLSETS":"repos"}',
    });
    const server = stdioServer(config);
    assert.equal(server.path, '/v1/mcp');
    assert.equal(server.resource, 'https://mcp.example.com/v1/mcp');
    assert.equal(server.stdio.tokenEnv, 'GITHUB_PERSONAL_ACCESS_TOKEN');
    assert.equal(server.stdio.userIdEnv, 'GITHUB_USER');
    assert.equal(server.stdio.idleTimeoutMs, 60_000);
    assert.equal(server.stdio.maxSessions, 5);
    assert.deepEqual(server.stdio.env, { GITHUB_TOOLSETS: 'repos' });
  });

  it('requires MCP_SERVER_RUN_COMMAND, naming the variable and an example', () => {
    const { MCP_SERVER_RUN_COMMAND: _command, ...env } = STDIO_ENV;
    const problem = problemFor(loadProblems(env), 'MCP_SERVER_RUN_COMMAND');
    assert.match(
      problem.message,
      /^MCP_SERVER_RUN_COMMAND is required with MCP_SERVER_TRANSPORT=stdio.*For example: MCP_SERVER_RUN_COMMAND=node$/,
    );
  });

  it('refuses an unknown transport', () => {
    const problem = problemFor(
      loadProblems({ ...STDIO_ENV, MCP_SERVER_TRANSPORT: 'sse' }),
      'MCP_SERVER_TRANSPORT',
    );
    assert.match(problem.message, /one of http, stdio, got "sse"/);
  });

  it("refuses a mount path of / , on the proxy's own routes, or with a dot segment", () => {
    for (const [path, pattern] of [
      ['/', /must have a path such as \/mcp/],
      ['/token/mcp', /collides with the proxy's own \/token routes/],
      ['/mcp/../token', /dot segment/],
      ['mcp', /must be a path that starts with \//],
    ] as const) {
      const problem = problemFor(loadProblems({ ...STDIO_ENV, MCP_SERVER_PATH: path }), 'MCP_SERVER_PATH');
      assert.match(problem.message, pattern, path);
    }
  });

  it('refuses variable names a process environment cannot hold, and one name for both', () => {
    const problems = loadProblems({
      ...STDIO_ENV,
      MCP_SERVER_STDIO_TOKEN_ENV: '1TOKEN',
      MCP_SERVER_STDIO_USER_ENV: 'USER-ID',
    });
    assert.match(
      problemFor(problems, 'MCP_SERVER_STDIO_TOKEN_ENV').message,
      /environment variable name.*"1TOKEN"/,
    );
    assert.match(
      problemFor(problems, 'MCP_SERVER_STDIO_USER_ENV').message,
      /environment variable name.*"USER-ID"/,
    );
    const same = loadProblems({ ...STDIO_ENV, MCP_SERVER_STDIO_USER_ENV: 'MCP_AUTH_TOKEN' });
    assert.match(problemFor(same, 'MCP_SERVER_STDIO_USER_ENV').message, /both name "MCP_AUTH_TOKEN"/);
  });

  it('refuses a cap or idle timeout that is not a positive whole number', () => {
    const problems = loadProblems({
      ...STDIO_ENV,
      MCP_SERVER_STDIO_MAX_SESSIONS: '0',
      MCP_SERVER_STDIO_IDLE_TIMEOUT_MS: '15m',
    });
    problemFor(problems, 'MCP_SERVER_STDIO_MAX_SESSIONS');
    problemFor(problems, 'MCP_SERVER_STDIO_IDLE_TIMEOUT_MS');
  });

  it('warns about the variables each transport ignores', () => {
    const stdio = loadOk({
      ...STDIO_ENV,
      MCP_SERVER_URL: 'http://127.0.0.1:3001/mcp',
      MCP_SERVER_START_TIMEOUT_MS: '1000',
      MCP_SERVER_RUN_ENV_JSON: '{"MCP_AUTH_TOKEN":"static"}',
    });
    assert.deepEqual(stdio.warnings, [
      'MCP_SERVER_URL, MCP_SERVER_START_TIMEOUT_MS are ignored with MCP_SERVER_TRANSPORT=stdio',
      "MCP_SERVER_RUN_ENV_JSON sets MCP_AUTH_TOKEN, which the proxy overwrites with each session's user",
    ]);
    const http = loadOk({ ...MINIMAL_ENV, MCP_SERVER_PATH: '/v1', MCP_SERVER_STDIO_MAX_SESSIONS: '3' });
    assert.deepEqual(http.warnings, [
      'MCP_SERVER_PATH, MCP_SERVER_STDIO_MAX_SESSIONS are ignored unless MCP_SERVER_TRANSPORT=stdio',
    ]);
  });

  it('describes the stdio settings for the start-up log with the child variables reduced to their names', () => {
    const { config } = loadOk({ ...STDIO_ENV, MCP_SERVER_RUN_ENV_JSON: '{"API_KEY":"secret-value"}' });
    const description = JSON.stringify(describeConfig(config).servers);
    assert.doesNotMatch(description, /secret-value/);
    assert.match(description, /"transport":"stdio"/);
    assert.match(description, /"env":\{"API_KEY":"\[set\]"\}/);
  });
});
