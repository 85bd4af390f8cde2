import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  describeConfig,
  reloadAccessRules,
  watchAccessRules,
  type ReloadedRules,
} from '../../../src/config/index.ts';
import { loadOk, loadProblems, MINIMAL_ENV, temporaryDirectory } from './config-fixtures.ts';
import { withServersFile, writeFile } from './servers-file-fixtures.ts';

const SERVERS_WITH_RULES = `
signIn:
  - id: staff-only
    deny: true
    unless: { emailDomain: [example.com] }
    description: This service is for example.com staff.
identityClaims:
  groups: [groups, 'https://example.com/groups']
  email: upn
servers:
  - id: tickets
    path: /tickets/mcp
    url: http://127.0.0.1:3001/mcp
    access:
      - id: finance-payments
        deny: { tools: ['payments_*'] }
        unless: { groups: [finance] }
  - id: docs
    path: /docs/mcp
    url: http://127.0.0.1:3002/mcp
`;

const RULES_FILE = `
signIn:
  - { id: staff-only, deny: true, unless: { emailDomain: example.com } }
access:
  - { id: no-admin, deny: { tools: ['*_admin'] } }
identityClaims: { roles: realm_access.roles, trustUnverifiedEmail: true }
`;

const problemMessages = (problems: readonly { message: string }[]) =>
  problems.map((problem) => problem.message);

describe('access rules in the configuration', () => {
  it('reads signIn and identityClaims at the top of the servers file and access per server', (t) => {
    const cwd = temporaryDirectory(t);
    const path = writeFile(cwd, 'servers.yaml', SERVERS_WITH_RULES);
    const { config } = loadOk(withServersFile('servers.yaml'), cwd);
    assert.deepEqual(
      config.accessRules.signIn.map((rule) => rule.id),
      ['staff-only'],
    );
    assert.deepEqual(config.accessRules.identityClaims, {
      groups: ['groups', 'https://example.com/groups'],
      email: 'upn',
    });
    assert.deepEqual(config.accessRules.file, { kind: 'servers', path, label: 'servers.yaml', cwd });
    const [tickets, docs] = config.servers;
    assert.deepEqual(
      tickets.access?.map((rule) => rule.id),
      ['finance-payments'],
    );
    assert.equal(docs?.access, undefined);
    const description = describeConfig(config);
    assert.deepEqual((description['accessRules'] as Record<string, unknown>)['signIn'], ['staff-only']);
    assert.deepEqual((description['servers'] as Array<Record<string, unknown>>)[0]?.['access'], [
      'finance-payments',
    ]);
  });

  it('reports every problem in the rules at once, each naming the file and the field path', (t) => {
    const cwd = temporaryDirectory(t);
    writeFile(
      cwd,
      'servers.yaml',
      `signIn: [{ id: a, deny: server }]
identityClaims: { group: [groups] }
servers:
  - id: tickets
    path: /tickets/mcp
    url: http://127.0.0.1:3001/mcp
    access:
      - { id: x, deny: { tool: [a] } }
      - { id: y, allow: server, when: { group: [finance] } }
`,
    );
    const messages = problemMessages(loadProblems(withServersFile('servers.yaml'), cwd));
    const prefix = 'MCP_AUTH_PROXY_SERVERS_FILE (servers.yaml): ';
    for (const path of [
      'signIn[0].deny',
      'identityClaims.group',
      'servers[0].access[0].deny.tool',
      'servers[0].access[1].when.group',
    ]) {
      assert.ok(
        messages.some((message) => message.startsWith(`${prefix}${path}: `)),
        `${path} in ${messages.join('\n')}`,
      );
    }
  });

  it('reads MCP_AUTH_PROXY_ACCESS_RULES_FILE for the one MCP_SERVER_* server', (t) => {
    const cwd = temporaryDirectory(t);
    const path = writeFile(cwd, 'rules.yaml', RULES_FILE);
    const { config } = loadOk({ ...MINIMAL_ENV, MCP_AUTH_PROXY_ACCESS_RULES_FILE: 'rules.yaml' }, cwd);
    assert.deepEqual(
      config.servers[0].access?.map((rule) => rule.id),
      ['no-admin'],
    );
    assert.deepEqual(
      config.accessRules.signIn.map((rule) => rule.id),
      ['staff-only'],
    );
    assert.deepEqual(config.accessRules.identityClaims, {
      roles: ['realm_access.roles'],
      trustUnverifiedEmail: true,
    });
    assert.deepEqual(config.accessRules.file, { kind: 'rules', path, label: 'rules.yaml', cwd });
  });

  it('loads examples/access-rules.yaml, and the rules of examples/servers.yaml, without a problem', () => {
    const repository = fileURLToPath(new URL('../../../', import.meta.url));
    const single = loadOk(
      { ...MINIMAL_ENV, MCP_AUTH_PROXY_ACCESS_RULES_FILE: 'examples/access-rules.yaml' },
      repository,
    );
    assert.equal(single.config.servers[0].access?.length, 3);
    const several = loadOk(withServersFile('examples/servers.yaml'), repository);
    assert.deepEqual(
      several.config.accessRules.signIn.map((rule) => rule.id),
      ['staff-only'],
    );
  });

  it('has no rules and no file to watch without either file', () => {
    const { config } = loadOk(MINIMAL_ENV);
    assert.deepEqual(config.accessRules, { signIn: [], identityClaims: {}, file: undefined });
    assert.equal(config.servers[0].access, undefined);
  });

  it('refuses a rules file beside a servers file, and names problems of a rules file with its variable', (t) => {
    const cwd = temporaryDirectory(t);
    writeFile(cwd, 'servers.yaml', SERVERS_WITH_RULES);
    writeFile(cwd, 'rules.json', '{"acces": [], "signIn": [{"id": "a"}]}');
    const both = problemMessages(
      loadProblems(withServersFile('servers.yaml', { MCP_AUTH_PROXY_ACCESS_RULES_FILE: 'rules.json' }), cwd),
    );
    assert.equal(both.length, 1);
    assert.match(both[0]!, /is set together with MCP_AUTH_PROXY_SERVERS_FILE/);
    const alone = problemMessages(
      loadProblems({ ...MINIMAL_ENV, MCP_AUTH_PROXY_ACCESS_RULES_FILE: 'rules.json' }, cwd),
    );
    assert.deepEqual(alone, [
      'MCP_AUTH_PROXY_ACCESS_RULES_FILE (rules.json): acces: is not a known field; did you mean access? (known: signIn, access, identityClaims)',
      'MCP_AUTH_PROXY_ACCESS_RULES_FILE (rules.json): signIn[0]: must have exactly one of allow or deny',
    ]);
  });
});

describe('reloading the access rules', () => {
  it('reads the rules again, by server id, and reports a broken file as at start', (t) => {
    const cwd = temporaryDirectory(t);
    const path = writeFile(cwd, 'servers.yaml', SERVERS_WITH_RULES);
    const file = { kind: 'servers', path, label: 'servers.yaml', cwd } as const;
    const reloaded = reloadAccessRules(file);
    assert.ok(reloaded.ok);
    assert.deepEqual(
      reloaded.rules.access.get('tickets')?.map((rule) => rule.id),
      ['finance-payments'],
    );
    assert.deepEqual(reloaded.rules.access.get('docs'), []);
    writeFileSync(path, SERVERS_WITH_RULES.replace('deny: { tools:', 'deny: { tool:'));
    const broken = reloadAccessRules(file);
    assert.ok(!broken.ok);
    assert.match(
      broken.problems[0] ?? '',
      /^MCP_AUTH_PROXY_SERVERS_FILE \(servers\.yaml\): servers\[0\]\.access\[0\]\.deny\.tool: /,
    );
    writeFileSync(path, 'servers: [');
    const unparsable = reloadAccessRules(file);
    assert.ok(!unparsable.ok);
    assert.match(unparsable.problems[0] ?? '', /^MCP_AUTH_PROXY_SERVERS_FILE \(servers\.yaml\): line 1/);
  });

  it('tells the watcher of each change of the file, once it has settled', async (t) => {
    const cwd = temporaryDirectory(t);
    const path = writeFile(cwd, 'rules.yaml', RULES_FILE);
    const seen: ReloadedRules[] = [];
    const watch = await watchAccessRules(
      { kind: 'rules', path, label: 'rules.yaml', cwd },
      { onReload: (reloaded) => seen.push(reloaded), debounceMs: 20, pollMs: 50 },
    );
    t.after(() => watch.close());
    await sleep(100);
    assert.equal(seen.length, 0, 'nothing is read while the file stays the same');
    writeFileSync(path, RULES_FILE.replace('*_admin', 'drop_*'));
    for (let waited = 0; seen.length === 0 && waited < 5_000; waited += 20) await sleep(20);
    const [reloaded] = seen;
    assert.ok(reloaded?.ok);
    const [rule] = reloaded.rules.access.get('default') ?? [];
    assert.deepEqual(rule?.target, { kind: 'items', patterns: { tools: ['drop_*'] } });
  });
});
