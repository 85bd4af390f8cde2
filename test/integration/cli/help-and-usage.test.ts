import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { COMMANDS } from '../../../src/cli/index.ts';
import { runInProcess, runProcess, temporaryDirectory } from './cli-harness.ts';

const packageJson = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

describe('mcp-auth-proxy help, version and usage errors', () => {
  it('lists every command in --help and exits 0', async (t) => {
    const run = await runInProcess(['--help'], { cwd: await temporaryDirectory(t, 'help') });
    assert.equal(run.code, 0);
    for (const command of COMMANDS) assert.match(run.stdout, new RegExp(`^  ${command.name} `, 'm'));
    assert.match(run.stdout, /Exit codes: 0 ok, 1 failure, 2 usage error, 3 configuration invalid/);
  });

  it('answers --help on every command with its own usage, without running it', async (t) => {
    const cwd = await temporaryDirectory(t, 'command-help');
    for (const command of COMMANDS) {
      const run = await runInProcess([...command.name.split(' '), '--help'], { cwd });
      assert.equal(run.code, 0, command.name);
      assert.ok(run.stdout.startsWith(`Usage: mcp-auth-proxy ${command.name}`), run.stdout);
      assert.match(run.stdout, /-h, --help/);
      const viaHelp = await runInProcess(['help', ...command.name.split(' ')], { cwd });
      assert.equal(viaHelp.stdout, run.stdout);
    }
  });

  it('lists the members of a command group and exits 2 when the subcommand is missing', async (t) => {
    const cwd = await temporaryDirectory(t, 'group');
    const missing = await runInProcess(['grants'], { cwd });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /grants list/);
    assert.match(missing.stderr, /grants revoke/);
    const help = await runInProcess(['clients', '--help'], { cwd });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /clients list/);
  });

  it('prints the package version with --version, as a real process exiting 0', async (t) => {
    const run = await runProcess(['--version'], { cwd: await temporaryDirectory(t, 'version') });
    assert.deepEqual(run, { code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
  });

  it('exits 2 with a pointer to --help on an unknown command, as a real process', async (t) => {
    const run = await runProcess(['frobnicate'], { cwd: await temporaryDirectory(t, 'unknown') });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown command "frobnicate"/);
    assert.match(run.stderr, /mcp-auth-proxy --help/);
  });

  it('exits 2 on unknown options, missing values and contradicting arguments', async (t) => {
    const cwd = await temporaryDirectory(t, 'usage');
    const cases: Array<[readonly string[], RegExp]> = [
      [['check', '--frobnicate'], /check --help/],
      [['grants', 'list', '--user'], /grants list --help/],
      [['grants', 'revoke'], /exactly one of <grantId>, --user <accountId> or --client <clientId>/],
      [['grants', 'revoke', 'g1', '--user', 'alice'], /exactly one of/],
      [['clients', 'remove'], /unknown command "clients remove"/],
      [['doctor'], /the MCP URL of a running deployment is required/],
      [['doctor', 'ftp://example.com/mcp'], /is not an http\(s\) URL/],
      [['doctor', 'https://example.com/mcp', '--timeout-ms', 'soon'], /--timeout-ms must be/],
      [['serve', '--port', '80'], /unknown option "--port"/],
      [['--frobnicate'], /unknown option "--frobnicate"/],
    ];
    for (const [argv, message] of cases) {
      const run = await runInProcess(argv, { cwd });
      assert.equal(run.code, 2, argv.join(' '));
      assert.match(run.stderr, message, argv.join(' '));
    }
  });
});
