/**
 * `npm run bench` in its smoke mode (a few seconds, no thresholds), so that the
 * benchmark keeps working as the proxy changes: it must finish and write its
 * results. The numbers themselves are not judged here.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BenchResults } from '../../bench/bench-results.ts';

const run = promisify(execFile);
const RUN_PATH = fileURLToPath(new URL('../../bench/run.ts', import.meta.url));

describe('benchmark smoke run', () => {
  it('starts every target, measures each payload and writes its results as JSON and Markdown', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-smoke-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const out = join(dir, 'latest.json');
    await run(process.execPath, [RUN_PATH, '--smoke', '--out', out], { maxBuffer: 16 * 1024 * 1024 });

    const results = JSON.parse(await readFile(out, 'utf8')) as BenchResults;
    assert.equal(results.plan.mode, 'smoke');
    const measured = new Set(results.cells.map((cell) => `${cell.payload} ${cell.target}`));
    for (const payload of ['echo', 'request-64KiB', 'response-1MiB']) {
      for (const target of ['direct', 'bare', 'ours'])
        assert.ok(measured.has(`${payload} ${target}`), `${payload} ${target}`);
    }
    assert.ok(measured.has('echo ours-metrics'), 'our proxy with metrics on');
    assert.ok(
      results.cells.every((cell) => cell.failures === 0),
      'no request failed',
    );
    assert.equal(results.sse['ours']?.completed, results.sse['ours']?.streams, 'every SSE stream completed');
    assert.ok(results.memory.idleRssBytes > 0);
    assert.ok(results.checks.length > 0);
    assert.match(await readFile(join(dir, 'latest.md'), 'utf8'), /\| payload \| conns \| target \|/);
  });
});
