import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { describeConfig, type McpServer } from '../../../src/config/index.ts';
import { loadOk, temporaryDirectory } from './config-fixtures.ts';
import { withServersFile, writeFile } from './servers-file-fixtures.ts';

const THREE_SERVERS_YAML = `
# one of each kind of upstream
servers:
  - id: tickets
    path: /tickets/mcp
    displayName: Tickets
    url: http://127.0.0.1:3001/mcp
  - id: deploys
    path: /deploys/mcp
    url: http://127.0.0.1:3002/mcp?tenant=a
    run:
      command: node
      args: [deploys.js, --port, 3002, --verbose, true]
      cwd: ./deploys
      env: { PORT: 3002, DEBUG: false, API_KEY: deploys-secret-value }
      startTimeoutMs: 60000
      exitWithChild: true
  - id: docs
    path: /docs/mcp
    stdio:
      command: npx
      args: [-y, docs-server]
      env: { DOCS_TOKEN: docs-secret-value }
      tokenEnv: GITHUB_TOKEN
      idleTimeoutMs: 60000
`;

const THREE_SERVERS_JSON = JSON.stringify({
  servers: [
    { id: 'tickets', path: '/tickets/mcp', displayName: 'Tickets', url: 'http://127.0.0.1:3001/mcp' },
    {
      id: 'deploys',
      path: '/deploys/mcp',
      url: 'http://127.0.0.1:3002/mcp?tenant=a',
      run: {
        command: 'node',
        args: ['deploys.js', '--port', 3002, '--verbose', true],
        cwd: './deploys',
        env: { PORT: 3002, DEBUG: false, API_KEY: 'deploys-secret-value' },
        startTimeoutMs: 60000,
        exitWithChild: true,
      },
    },
    {
      id: 'docs',
      path: '/docs/mcp',
      stdio: {
        command: 'npx',
        args: ['-y', 'docs-server'],
        env: { DOCS_TOKEN: 'docs-secret-value' },
        tokenEnv: 'GITHUB_TOKEN',
        idleTimeoutMs: 60000,
      },
    },
  ],
});

/** A working directory with the servers file in `config/`, whose `deploys/` folder exists. */
function directoryWith(t: Parameters<typeof temporaryDirectory>[0], name: string, text: string) {
  const cwd = temporaryDirectory(t);
  mkdirSync(join(cwd, 'config', 'deploys'), { recursive: true });
  writeFile(cwd, join('config', name), text);
  return { cwd, configDirectory: join(cwd, 'config') };
}

/** What the three-server file must load into, whether written in YAML or JSON. */
function assertThreeServers(servers: readonly McpServer[], configDirectory: string): void {
  assert.deepEqual(
    servers.map((server) => [server.id, server.transport, server.path, server.resource]),
    [
      ['tickets', 'http', '/tickets/mcp', 'https://mcp.example.com/tickets/mcp'],
      ['deploys', 'http', '/deploys/mcp', 'https://mcp.example.com/deploys/mcp'],
      ['docs', 'stdio', '/docs/mcp', 'https://mcp.example.com/docs/mcp'],
    ],
  );
  const [tickets, deploys, docs] = servers;
  assert.equal(tickets?.displayName, 'Tickets');
  assert.equal(deploys?.displayName, undefined);
  assert.ok(tickets?.transport === 'http' && deploys?.transport === 'http' && docs?.transport === 'stdio');
  assert.equal(tickets.run, undefined);
  assert.equal(deploys.url.href, 'http://127.0.0.1:3002/mcp?tenant=a');
  assert.deepEqual(deploys.run, {
    command: 'node',
    args: ['deploys.js', '--port', '3002', '--verbose', 'true'],
    cwd: join(configDirectory, 'deploys'),
    env: { PORT: '3002', DEBUG: 'false', API_KEY: 'deploys-secret-value' },
    startTimeoutMs: 60_000,
    exitWithChild: true,
  });
  assert.deepEqual(docs.stdio, {
    command: 'npx',
    args: ['-y', 'docs-server'],
    cwd: configDirectory,
    env: { DOCS_TOKEN: 'docs-secret-value' },
    tokenEnv: 'GITHUB_TOKEN',
    userIdEnv: 'MCP_AUTH_USER_ID',
    idleTimeoutMs: 60_000,
    maxSessions: 50,
  });
}

describe('MCP_AUTH_PROXY_SERVERS_FILE', () => {
  it('loads a YAML file of HTTP, supervised and stdio servers in its order, with paths relative to the file', (t) => {
    const { cwd, configDirectory } = directoryWith(t, 'servers.yaml', THREE_SERVERS_YAML);
    const { config, warnings } = loadOk(withServersFile('config/servers.yaml'), cwd);
    assertThreeServers(config.servers, configDirectory);
    assert.equal(config.serversFile, join(configDirectory, 'servers.yaml'));
    assert.deepEqual(warnings, []);
  });

  it('loads the same servers from the JSON form (.json) and from .yml', (t) => {
    const json = directoryWith(t, 'servers.json', THREE_SERVERS_JSON);
    assertThreeServers(
      loadOk(withServersFile('config/servers.json'), json.cwd).config.servers,
      json.configDirectory,
    );
    const yml = directoryWith(t, 'servers.yml', THREE_SERVERS_YAML);
    assertThreeServers(
      loadOk(withServersFile('config/servers.yml'), yml.cwd).config.servers,
      yml.configDirectory,
    );
  });

  it('needs no MCP_SERVER_URL, and takes every unset field from the proxy-wide variables', (t) => {
    const cwd = temporaryDirectory(t);
    writeFile(
      cwd,
      'servers.yaml',
      'servers:\n  - { id: a, path: /a/mcp, url: "http://127.0.0.1:1/mcp", run: { command: node } }\n' +
        '  - { id: b, path: /b/mcp, stdio: { command: node } }\n',
    );
    const { config } = loadOk(
      withServersFile('servers.yaml', {
        PROVIDER_SCOPE: 'openid offline_access files:read files:write',
        MCP_AUTH_PROXY_SCOPE_RULES: 'tools/call delete_*=files:write',
        MCP_AUTH_PROXY_SCOPE_INCLUDES: 'files:write=files:read',
        MCP_AUTH_PROXY_MCP_MAX_REQUESTS: '77',
        MCP_AUTH_PROXY_MCP_WINDOW_MS: '7000',
        MCP_AUTH_PROXY_USER_ID_HEADER: 'x-user',
        MCP_SERVER_START_TIMEOUT_MS: '9000',
        MCP_SERVER_EXIT_WITH_CHILD: 'true',
        MCP_SERVER_STDIO_TOKEN_ENV: 'TOKEN',
        MCP_SERVER_STDIO_USER_ENV: 'USER_ID',
        MCP_SERVER_STDIO_IDLE_TIMEOUT_MS: '5000',
        MCP_SERVER_STDIO_MAX_SESSIONS: '3',
      }),
      cwd,
    );
    const [a, b] = config.servers;
    for (const server of [a, b]) {
      assert.deepEqual(server?.scopes, ['openid', 'offline_access', 'files:read', 'files:write']);
      assert.deepEqual(server?.defaultScopes, ['openid', 'offline_access', 'files:read']);
      assert.equal(server?.scopePolicy, config.authorizationServer.scopePolicy);
      assert.deepEqual(server?.rateLimit, { maxRequests: 77, windowMs: 7000 });
      assert.equal(server?.userIdHeader, 'x-user');
    }
    assert.ok(a?.transport === 'http' && b?.transport === 'stdio');
    assert.deepEqual(a.run, {
      command: 'node',
      args: [],
      cwd,
      env: {},
      startTimeoutMs: 9000,
      exitWithChild: true,
    });
    assert.deepEqual(b.stdio, {
      command: 'node',
      args: [],
      cwd,
      env: {},
      tokenEnv: 'TOKEN',
      userIdEnv: 'USER_ID',
      idleTimeoutMs: 5000,
      maxSessions: 3,
    });
  });

  it('gives each server its own scopes, step-up rules, rate limit and header, and the authorization server all the scopes', (t) => {
    const cwd = temporaryDirectory(t);
    writeFile(
      cwd,
      'servers.yaml',
      `servers:
  - id: tickets
    path: /tickets/mcp
    url: http://127.0.0.1:3001/mcp
    scopes: [openid, offline_access, tickets:read, tickets:write]
    scopeRules: ["tools/call close_*=tickets:write", "resources/read=tickets:read"]
    scopeIncludes: "tickets:write=tickets:read"
    rateLimit: { maxRequests: 600 }
    userIdHeader: X-Ticket-User
  - id: docs
    path: /docs/mcp
    url: http://127.0.0.1:3002/mcp
    scopes: openid docs:read
    scopeRules: []
`,
    );
    const { config } = loadOk(
      withServersFile('servers.yaml', {
        PROVIDER_SCOPE: 'openid offline_access files:write',
        MCP_AUTH_PROXY_SCOPE_RULES: 'tools/call delete_*=files:write',
      }),
      cwd,
    );
    const [tickets, docs] = config.servers;
    assert.deepEqual(tickets.scopes, ['openid', 'offline_access', 'tickets:read', 'tickets:write']);
    assert.deepEqual(tickets.defaultScopes, ['openid', 'offline_access']);
    assert.deepEqual(tickets.scopePolicy, {
      rules: [
        { method: 'tools/call', name: 'close_*', scopes: ['tickets:write'] },
        { method: 'resources/read', scopes: ['tickets:read'] },
      ],
      includes: { 'tickets:write': ['tickets:read'] },
    });
    assert.deepEqual(tickets.rateLimit, { maxRequests: 600, windowMs: 60_000 });
    assert.equal(tickets.userIdHeader, 'x-ticket-user');
    // `scopeRules: []` drops the proxy-wide rules, which name a scope this server does not have.
    assert.deepEqual(docs?.scopePolicy, { rules: [], includes: {} });
    assert.deepEqual(docs?.defaultScopes, ['openid', 'docs:read']);
    assert.deepEqual(config.authorizationServer.scopes, [
      'openid',
      'offline_access',
      'files:write',
      'tickets:read',
      'tickets:write',
      'docs:read',
    ]);
    assert.deepEqual(config.authorizationServer.defaultScopes, ['openid', 'offline_access']);
  });

  it("is described for the start-up log with display names and scopes, and the servers' variables as [set]", (t) => {
    const { cwd } = directoryWith(t, 'servers.yaml', THREE_SERVERS_YAML);
    const { config } = loadOk(withServersFile('config/servers.yaml'), cwd);
    const description = describeConfig(config);
    const text = JSON.stringify(description);
    assert.doesNotMatch(text, /deploys-secret-value|docs-secret-value/);
    assert.equal(description['serversFile'], join(cwd, 'config', 'servers.yaml'));
    const [tickets, deploys, docs] = description['servers'] as Array<Record<string, unknown>>;
    assert.equal(tickets?.['displayName'], 'Tickets');
    assert.deepEqual(tickets?.['scopes'], ['openid', 'offline_access']);
    assert.deepEqual((deploys?.['run'] as Record<string, unknown>)['env'], {
      PORT: '[set]',
      DEBUG: '[set]',
      API_KEY: '[set]',
    });
    assert.deepEqual((docs?.['stdio'] as Record<string, unknown>)['env'], { DOCS_TOKEN: '[set]' });
  });

  it('loads examples/servers.yaml without a problem or a warning', () => {
    const repository = fileURLToPath(new URL('../../../', import.meta.url));
    const { config, warnings } = loadOk(withServersFile('examples/servers.yaml'), repository);
    assert.deepEqual(warnings, []);
    assert.ok(config.servers.length >= 2);
    assert.deepEqual(new Set(config.servers.map((server) => server.transport)), new Set(['http', 'stdio']));
  });
});
