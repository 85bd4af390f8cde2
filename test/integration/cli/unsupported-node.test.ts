/**
 * On a Node older than the project supports, every entry point a user runs
 * (`npm start`, `npm run demo`, the `mcp-auth-proxy` bin) prints one line
 * naming the version required and the version found, and exits non-zero,
 * instead of an ERR_UNKNOWN_BUILTIN_MODULE stack trace for `node:sqlite`.
 * Run with a real old Node binary against the built `dist/`.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, before } from 'node:test';
import { promisify } from 'node:util';
import { isSupported, RUNTIME_NODE } from '../../../src/shared/supported-node.ts';
import { ensureBuild, REPO_ROOT } from '../../support/ensure-build.ts';

const run = promisify(execFile);
/** Where Debian, Homebrew, nvm-less machines keep a system Node; OLD_NODE names another. */
const CANDIDATES = [process.env['OLD_NODE'], '/usr/bin/node', '/usr/local/bin/node', '/bin/node'];

function findOldNode(): { path: string; version: string } | undefined {
  for (const path of CANDIDATES) {
    if (path === undefined || path === '') continue;
    try {
      const version = execFileSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
      if (!isSupported(version, RUNTIME_NODE)) return { path, version };
    } catch {
      // Not there, or not a Node: try the next one.
    }
  }
  return undefined;
}

/** The commands package.json gives users, with `node` as its first word. */
function entryPoints(): Array<{ name: string; args: string[] }> {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
    bin: Record<string, string>;
  };
  const nodeArgs = (script: string | undefined) => {
    const words = (script ?? '').split(/\s+/);
    assert.equal(words[0], 'node', `expected a node command, got ${script}`);
    return words.slice(1);
  };
  return [
    { name: 'npm start', args: nodeArgs(manifest.scripts['start']) },
    { name: 'npm run demo', args: nodeArgs(manifest.scripts['demo']) },
    ...Object.entries(manifest.bin).map(([name, path]) => ({ name: `bin ${name}`, args: [path, '--help'] })),
  ];
}

const oldNode = findOldNode();

describe('an unsupported Node', () => {
  before(async () => {
    if (oldNode !== undefined) await ensureBuild();
  });

  for (const entry of entryPoints()) {
    it(`gets one line naming both versions and a failing exit from ${entry.name}`, async (t) => {
      if (oldNode === undefined) {
        const reason = `SKIPPED LOUDLY: no Node older than 22.13 at ${CANDIDATES.filter(Boolean).join(', ')}; set OLD_NODE`;
        t.diagnostic(reason);
        process.stderr.write(`${reason}\n`);
        t.skip(reason);
        return;
      }
      const outcome = await run(oldNode.path, entry.args, { cwd: REPO_ROOT }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code?: number; stdout?: string; stderr?: string }) => ({
          code: error.code ?? -1,
          stdout: error.stdout ?? '',
          stderr: error.stderr ?? '',
        }),
      );
      assert.notEqual(outcome.code, 0, 'the exit code is non-zero');
      assert.equal(outcome.stdout, '');
      const lines = outcome.stderr.split('\n').filter((line) => line !== '');
      assert.equal(lines.length, 1, `one line on stderr, got:\n${outcome.stderr}`);
      assert.match(lines[0]!, /needs Node\.js 22\.13 or newer/);
      assert.ok(lines[0]!.includes(`Node.js ${oldNode.version}`), lines[0]);
      assert.doesNotMatch(outcome.stderr, /ERR_UNKNOWN_BUILTIN_MODULE|at .*\.js:\d+/);
    });
  }
});
