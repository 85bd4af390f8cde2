/**
 * `npm run bench:scale` in its smoke mode (small counts, a few seconds), so that
 * the scale figures of docs/scaling.md can always be measured again as the
 * proxy changes: it must finish on its own redis-server and write its results.
 * The numbers themselves are not judged here, only that each was measured.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ScaleResults } from '../../bench/scale-report.ts';
import { redisBinariesOrSkip } from '../support/redis-processes.ts';

const run = promisify(execFile);
const SCRIPT_PATH = fileURLToPath(new URL('../../bench/scale-figures.ts', import.meta.url));

describe('scale benchmark smoke run', () => {
  it('measures memory per key family, commands per request and the cold token check on its own Redis', async (t) => {
    if (!redisBinariesOrSkip(t, 'the scale benchmark')) return;
    const dir = await mkdtemp(join(tmpdir(), 'bench-scale-smoke-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const out = join(dir, 'scale.json');
    await run(process.execPath, [SCRIPT_PATH, '--smoke', '--out', out], { maxBuffer: 16 * 1024 * 1024 });

    const results = JSON.parse(await readFile(out, 'utf8')) as ScaleResults;
    assert.equal(results.mode, 'smoke');
    const signInFamilies = results.memory.signIns.families.map((usage) => usage.family);
    for (const family of [
      'Client:*',
      'Grant:*',
      'AccessToken:*',
      'RefreshToken:*',
      'upstream-tokens:*',
      'grant:*',
    ])
      assert.ok(signInFamilies.includes(family), `a sign-in stores ${family}`);
    assert.ok(results.memory.grantSet.bytesPerMember > 0, 'the grant set grows with refreshes');
    const coldCommands = results.ops.cold.commands.map((command) => command.command);
    assert.ok(coldCommands.includes('GET AccessToken:*'), 'a cold tool call reads the access token');
    assert.ok(
      results.ops.warm.readsEach < results.ops.cold.readsEach,
      'a warm tool call reads less than a cold one',
    );
    assert.ok(results.tokenCheck.rounds.length > 0 && results.tokenCheck.rounds[0]!.httpCold.count > 0);
    assert.ok(results.sizing.length > 0);
    assert.match(await readFile(join(dir, 'scale.md'), 'utf8'), /## Sizing: one million users/);
  });
});
