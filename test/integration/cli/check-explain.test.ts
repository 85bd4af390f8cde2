/**
 * `mcp-auth-proxy check` and the access rules: their problems are reported as configuration
 * problems, and `--explain` prints how they decide for a user, rule by rule, without checking
 * anything live.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { runInProcess, temporaryDirectory } from './cli-harness.ts';

const RULES = `
signIn:
  - id: staff-only
    deny: true
    unless: { emailDomain: [example.com] }
    description: This service is for example.com staff.
access:
  - id: finance-payments
    deny: { tools: ['payments_*'] }
    unless: { groups: [finance] }
`;

/** A valid environment: nothing is contacted, since --explain checks nothing live. */
async function environment(t: TestContext, rules = RULES) {
  const cwd = await temporaryDirectory(t, 'check-explain');
  await writeFile(join(cwd, 'rules.yaml'), rules);
  const env = {
    BASE_URL: 'http://127.0.0.1:3000',
    LOCAL_INSECURE: 'true',
    MCP_SERVER_URL: 'http://127.0.0.1:3001/mcp',
    IDENTITY_SERVER_URL: 'http://127.0.0.1:9/',
    IDENTITY_CLIENT_ID: 'client',
    MCP_AUTH_PROXY_SQLITE_PATH: join(cwd, 'store.sqlite'),
    MCP_AUTH_PROXY_ACCESS_RULES_FILE: 'rules.yaml',
  };
  return { cwd, env };
}

describe('mcp-auth-proxy check and the access rules', () => {
  it('explains a refused tool rule by rule, and exits 1', async (t) => {
    const { cwd, env } = await environment(t);
    const user = '{"sub":"bob","email":"bob@example.com","groups":["support"]}';
    const run = await runInProcess(['check', '--explain', '--user', user, '--tool', 'payments_send'], {
      cwd,
      env,
    });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.equal(
      run.stdout,
      [
        'User bob: email bob@example.com; groups support; no roles',
        'Sign-in: allowed',
        '  - staff-only: deny sign-in unless emailDomain in [example.com] -> does not apply (unless holds)',
        'Server default: allowed',
        '  (no rules)',
        'Tool "payments_send": denied by rule finance-payments',
        '  - finance-payments: deny tools [payments_*] unless groups in [finance] -> applies, names "payments_send": denies',
        '',
      ].join('\n'),
    );
  });

  it('reads the claims from a YAML file, answers as JSON, and exits 0 when allowed', async (t) => {
    const { cwd, env } = await environment(t);
    await writeFile(join(cwd, 'alice.yaml'), 'sub: alice\nemail: alice@example.com\ngroups: [finance]\n');
    const run = await runInProcess(
      [
        'check',
        '--explain',
        '--json',
        '--user',
        'alice.yaml',
        '--server',
        'default',
        '--tool',
        'payments_send',
      ],
      { cwd, env },
    );
    assert.equal(run.code, 0, run.stderr);
    const answer = JSON.parse(run.stdout) as { allowed: boolean; lines: string[] };
    assert.equal(answer.allowed, true);
    assert.match(answer.lines.at(-1) ?? '', /does not apply \(unless holds\)/);
  });

  it('stops at sign-in for a user outside the allowed domain', async (t) => {
    const { cwd, env } = await environment(t);
    const run = await runInProcess(['check', '--explain', '--user', '{"email":"eve@elsewhere.test"}'], {
      cwd,
      env,
    });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^Sign-in: denied by rule staff-only$/m);
  });

  it('refuses explain options without --explain, and an unknown server, as usage errors', async (t) => {
    const { cwd, env } = await environment(t);
    assert.equal((await runInProcess(['check', '--user', '{}'], { cwd, env })).code, 2);
    const unknown = await runInProcess(['check', '--explain', '--user', '{}', '--server', 'nope'], {
      cwd,
      env,
    });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--server "nope" is not configured \(servers: default\)/);
  });

  it('reports a problem in the rules file as a configuration problem, with the file to correct, and exits 3', async (t) => {
    const { cwd, env } = await environment(t, 'access: [{ id: x, deny: { tool: [a] } }]\n');
    const run = await runInProcess(['check'], { cwd, env });
    assert.equal(run.code, 3);
    assert.match(
      run.stdout,
      /^✗ configuration: MCP_AUTH_PROXY_ACCESS_RULES_FILE \(rules\.yaml\): access\[0\]\.deny\.tool: .*\n {4}fix: Correct MCP_AUTH_PROXY_ACCESS_RULES_FILE, or the rules file it names; docs\/access-rules\.md/m,
    );
  });
});
