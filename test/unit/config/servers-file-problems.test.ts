import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatProblems } from '../../../src/config/index.ts';
import { loadOk, loadProblems, problemFor, temporaryDirectory } from './config-fixtures.ts';
import { fileMessages, withServersFile, writeFile } from './servers-file-fixtures.ts';

/** Loads `text` as servers.yaml (or `name`) and returns the file's problems, each after `(file): `. */
function problemsOf(
  t: Parameters<typeof temporaryDirectory>[0],
  text: string,
  env: Readonly<Record<string, string>> = {},
  name = 'servers.yaml',
) {
  const cwd = temporaryDirectory(t);
  writeFile(cwd, name, text);
  const problems = loadProblems(withServersFile(name, env), cwd);
  return { cwd, problems, messages: fileMessages(problems, name) };
}

const ONE_SERVER = 'servers:\n  - { id: a, path: /a/mcp, url: "http://127.0.0.1:3001/mcp" }\n';

describe('MCP_AUTH_PROXY_SERVERS_FILE problems', () => {
  it('reports every problem of the file at once, each naming the file and the field path', (t) => {
    const { cwd, messages } = problemsOf(
      t,
      `servers:
  - id: Tickets
    path: /auth/tickets
    urll: http://127.0.0.1:3001/mcp
    url: ftp://127.0.0.1/mcp
    stdio: { command: node, tokenEnv: SAME, userIdEnv: SAME, maxSessions: lots }
    rateLimit: { maxRequests: -1, window: 5 }
  - path: /docs
    run: { command: node, cwd: ./missing, env: { KEY: [1] }, startTimeoutMs: 1.5 }
  - id: docs
    path: /docs/./mcp
    stdio: { command: node, args: [ok, { not: text }] }
    run: { command: node }
`,
    );
    assert.deepEqual(messages, [
      'servers[0].urll: is not a known field; did you mean url? (known: id, path, displayName, url, run, stdio, scopes, scopeRules, scopeIncludes, rateLimit, userIdHeader, access)',
      'servers[0].id: must be lower-case letters, digits and -, starting with a letter or digit, at most 63 characters (e.g. tickets), got "Tickets"',
      'servers[0].path: has the path "/auth/tickets", which collides with the proxy\'s own /auth routes; use a path such as /mcp',
      'servers[0]: has both url and stdio; a server has exactly one: url (where it listens for Streamable HTTP, optionally with run to start it) or stdio (a command the proxy runs for each MCP session)',
      'servers[0].url: must be an absolute http:// or https:// URL, got "ftp://127.0.0.1/mcp"',
      'servers[0].stdio.maxSessions: must be a whole number from 1 to 10000, got "lots"',
      'servers[0].stdio.userIdEnv: names "SAME", as tokenEnv does (the defaults are MCP_SERVER_STDIO_USER_ENV and MCP_SERVER_STDIO_TOKEN_ENV); the token and the account id need a variable each',
      'servers[0].rateLimit.window: is not a known field; did you mean windowMs? (known: maxRequests, windowMs)',
      'servers[0].rateLimit.maxRequests: must be a whole number from 1 to 9007199254740991, got "-1"',
      'servers[1].id: is required, e.g. id: tickets',
      'servers[1]: has neither url nor stdio; a server has exactly one: url (where it listens for Streamable HTTP, optionally with run to start it) or stdio (a command the proxy runs for each MCP session)',
      `servers[1].run.cwd: must name an existing directory, but "${cwd}/missing" does not exist`,
      'servers[1].run.env: must be a mapping of variable names to values such as { PORT: 3001 } (numbers and booleans are taken as text): "KEY" is an array',
      'servers[1].run.startTimeoutMs: must be a whole number from 1 to 2147483647, got "1.5"',
      'servers[2].path: has the path "/docs/./mcp", which has a dot segment; use a path such as /mcp',
      'servers[2].run: goes only with url; a stdio server names its command in stdio',
      'servers[2].stdio.args: must be a list of strings such as [server.js, --port, 3001]: item 1 is an object',
    ]);
  });

  it('refuses unknown top-level keys, a missing or empty list, and an empty file', (t) => {
    assert.deepEqual(problemsOf(t, 'server:\n  - id: a\n').messages, [
      'server: is not a known field; did you mean servers? (known: servers, signIn, identityClaims)',
      'servers: is required: the list of MCP servers behind the proxy',
    ]);
    assert.deepEqual(problemsOf(t, 'servers: []\n').messages, ['servers: must list at least one server']);
    assert.deepEqual(problemsOf(t, 'servers: { id: a }\n').messages, [
      'servers: must be a list of servers, got an object',
    ]);
    assert.deepEqual(problemsOf(t, '# nothing yet\n').messages, [
      'must be a mapping with the fields servers, signIn, identityClaims; got null',
    ]);
  });

  it('refuses duplicate ids and overlapping mount paths, but not paths that only share a prefix of characters', (t) => {
    const { messages } = problemsOf(
      t,
      `servers:
  - { id: a, path: /mcp, url: "http://127.0.0.1:1/mcp" }
  - { id: b, path: /mcp/, url: "http://127.0.0.1:2/mcp" }
  - { id: a, path: /mcp/tickets, url: "http://127.0.0.1:3/mcp" }
  - { id: c, path: /mcpx, url: "http://127.0.0.1:4/mcp" }
  - { id: d, path: /tools/mcp, url: "http://127.0.0.1:5/mcp" }
  - { id: e, path: /tools, url: "http://127.0.0.1:6/mcp" }
`,
    );
    assert.deepEqual(messages, [
      'servers[1].path: "/mcp/" is the same as servers[0].path "/mcp": a request path would belong to both servers; give each server a path of its own that is not inside another\'s',
      'servers[2].id: "a" is also the id of servers[0]; each server needs its own id',
      'servers[2].path: "/mcp/tickets" overlaps servers[0].path "/mcp": a request path would belong to both servers; give each server a path of its own that is not inside another\'s',
      'servers[5].path: "/tools" overlaps servers[4].path "/tools/mcp": a request path would belong to both servers; give each server a path of its own that is not inside another\'s',
    ]);
  });

  it('refuses the root path and every reserved first segment, as for MCP_SERVER_URL', (t) => {
    for (const path of ['/', '/token', '/.well-known/mcp', '/interaction/x', '/jwks']) {
      const { messages } = problemsOf(
        t,
        `servers:\n  - { id: a, path: "${path}", url: "http://127.0.0.1:1/mcp" }\n`,
      );
      assert.equal(messages.length, 1, path);
      assert.match(
        messages[0] ?? '',
        /^servers\[0\]\.path: (must have a path such as \/mcp|has the path)/,
        path,
      );
    }
    const { messages } = problemsOf(t, 'servers:\n  - { id: a, path: mcp, url: "http://127.0.0.1:1/mcp" }\n');
    assert.deepEqual(messages, [
      'servers[0].path: must be a path that starts with / and has no query, fragment or spaces, got "mcp"',
    ]);
  });

  it('refuses step-up rules and inclusions naming scopes the server does not list, whether set or inherited', (t) => {
    const explicit = problemsOf(
      t,
      `servers:
  - id: a
    path: /a
    url: http://127.0.0.1:1/mcp
    scopes: [openid, a:read]
    scopeRules: tools/call=a:write
    scopeIncludes: a:admin=a:read
  - id: b
    path: /b
    url: http://127.0.0.1:2/mcp
    scopes: [b:write]
    scopeRules: tools/call=b:write
`,
    );
    assert.deepEqual(explicit.messages, [
      'servers[0].scopeRules: requires a:write, which its scopes do not list; add it to scopes, or give this server its own scopeRules ([] for none)',
      'servers[0].scopeIncludes: names a:admin, which its scopes do not list',
      'servers[1].scopeRules: requires every one of its scopes, which leaves nothing to grant a client that names no scope; keep at least one scope (such as openid) out of the rules',
    ]);
    const inherited = problemsOf(
      t,
      'servers:\n  - { id: a, path: /a, url: "http://127.0.0.1:1/mcp", scopes: [openid] }\n',
      { PROVIDER_SCOPE: 'openid files:write', MCP_AUTH_PROXY_SCOPE_RULES: 'tools/call=files:write' },
    );
    assert.deepEqual(inherited.messages, [
      'servers[0].scopeRules: is not set, and its default MCP_AUTH_PROXY_SCOPE_RULES requires files:write, which its scopes do not list; add it to scopes, or give this server its own scopeRules ([] for none)',
    ]);
  });

  it('refuses a stdio server whose token and user variables are the same, also through the MCP_SERVER_STDIO_* defaults', (t) => {
    const { messages } = problemsOf(
      t,
      'servers:\n  - { id: a, path: /a, stdio: { command: node, tokenEnv: WHO } }\n',
      {
        MCP_SERVER_STDIO_USER_ENV: 'WHO',
      },
    );
    assert.equal(messages.length, 1);
    assert.match(messages[0] ?? '', /^servers\[0\]\.stdio\.userIdEnv: names "WHO", as tokenEnv does/);
  });

  it('warns when a stdio server sets the variables the proxy fills in for each session', (t) => {
    const cwd = temporaryDirectory(t);
    writeFile(
      cwd,
      'servers.yaml',
      'servers:\n  - { id: a, path: /a, stdio: { command: node, env: { MCP_AUTH_TOKEN: x } } }\n',
    );
    assert.deepEqual(loadOk(withServersFile('servers.yaml'), cwd).warnings, [
      "MCP_AUTH_PROXY_SERVERS_FILE (servers.yaml): servers[0].stdio.env: sets MCP_AUTH_TOKEN, which the proxy overwrites with each session's user",
    ]);
  });

  it('is a problem together with MCP_SERVER_URL, _TRANSPORT, _PATH or _RUN_*, each named', (t) => {
    const { problems } = problemsOf(t, ONE_SERVER, {
      MCP_SERVER_URL: 'http://127.0.0.1:3001/mcp',
      MCP_SERVER_TRANSPORT: 'http',
      MCP_SERVER_PATH: '/mcp',
      MCP_SERVER_RUN_COMMAND: 'node',
      MCP_SERVER_RUN_ARGS_JSON: '[]',
      MCP_SERVER_RUN_DIR: '.',
      MCP_SERVER_RUN_ENV_JSON: '{"KEY":"run-env-secret"}',
    });
    for (const variable of [
      'MCP_SERVER_URL',
      'MCP_SERVER_TRANSPORT',
      'MCP_SERVER_PATH',
      'MCP_SERVER_RUN_COMMAND',
      'MCP_SERVER_RUN_ARGS_JSON',
      'MCP_SERVER_RUN_DIR',
      'MCP_SERVER_RUN_ENV_JSON',
    ]) {
      assert.match(
        problemFor(problems, variable).message,
        new RegExp(`^${variable} is set together with MCP_AUTH_PROXY_SERVERS_FILE: set either`),
      );
    }
    assert.equal(problems.length, 7);
    assert.doesNotMatch(formatProblems(problems), /run-env-secret/);
  });

  it('names a file that is missing, a directory, or neither YAML nor JSON', (t) => {
    const cwd = temporaryDirectory(t);
    writeFile(cwd, 'servers.toml', '');
    writeFile(cwd, 'folder.yaml/file', '');
    const message = (name: string) =>
      problemFor(loadProblems(withServersFile(name), cwd), 'MCP_AUTH_PROXY_SERVERS_FILE').message;
    assert.equal(
      message('servers.yaml'),
      `MCP_AUTH_PROXY_SERVERS_FILE must name a servers file, but "${cwd}/servers.yaml" does not exist`,
    );
    assert.match(message('folder.yaml'), /folder\.yaml" is a directory$/);
    assert.equal(
      message('servers.toml'),
      'MCP_AUTH_PROXY_SERVERS_FILE must name a .yaml, .yml or .json file, got "servers.toml"',
    );
  });

  it('reports YAML and JSON syntax errors with their line and column, never quoting the text', (t) => {
    const yaml = problemsOf(t, 'servers:\n  - id: a\n    env: { KEY: yaml-secret\n');
    assert.equal(yaml.messages.length, 1, yaml.messages.join('\n'));
    assert.match(yaml.messages[0] ?? '', /^line \d+, column \d+: .* \(YAML\)$/);
    assert.doesNotMatch(formatProblems(yaml.problems), /yaml-secret/);

    const duplicate = problemsOf(t, 'servers:\n  - id: a\n    id: b\n');
    assert.match(duplicate.messages[0] ?? '', /^line 3, column 5: Map keys must be unique \(YAML\)$/);

    const json = problemsOf(
      t,
      '{"servers": [\n  {"id": "a", "env": {"KEY": json-secret}}\n]}',
      {},
      'servers.json',
    );
    assert.deepEqual(json.messages, ['line 2, column 30: is not valid JSON']);
    const trailingComma = problemsOf(t, '{"servers": [],}', {}, 'servers.json');
    assert.deepEqual(trailingComma.messages, [
      'line 1, column 16: is not valid JSON (Expected double-quoted property name)',
    ]);
    assert.doesNotMatch(formatProblems(json.problems), /json-secret/);
  });

  it("never shows the values of a server's env in its problems", (t) => {
    const { problems, messages } = problemsOf(
      t,
      'servers:\n  - { id: a, path: /a, url: "http://127.0.0.1:1/mcp", run: { command: node, env: { KEY: run-secret, BAD: [x] } } }\n',
    );
    assert.equal(messages.length, 1);
    assert.doesNotMatch(formatProblems(problems), /run-secret/);
  });
});
