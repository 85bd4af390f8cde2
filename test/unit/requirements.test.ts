/**
 * Keeps test/requirements.ts honest: every requirement that applies to the
 * proxy is cited by at least one test (`// req: A6.3` or `[A6.3]` in a test
 * name), and no test cites an id the list does not have.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { NOT_APPLICABLE, REQUIREMENTS } from '../requirements.ts';

const TEST_ROOT = fileURLToPath(new URL('..', import.meta.url));
const ID = /^A\d+\.\d+$/;
const COMMENT_CITATION = /req:\s*(A\d+\.\d+(?:\s*,\s*A\d+\.\d+)*)/g;
const NAME_CITATION = /\[(A\d+\.\d+)\]/g;

/** Requirement id -> the test files that cite it. */
async function citations(): Promise<Map<string, Set<string>>> {
  const cited = new Map<string, Set<string>>();
  const self = fileURLToPath(import.meta.url);
  for (const entry of await readdir(TEST_ROOT, { recursive: true })) {
    if (!entry.endsWith('.test.ts')) continue;
    const path = join(TEST_ROOT, entry);
    if (path === self) continue;
    const text = await readFile(path, 'utf8');
    const ids = [
      ...[...text.matchAll(COMMENT_CITATION)].flatMap((match) => (match[1] ?? '').split(/\s*,\s*/)),
      ...[...text.matchAll(NAME_CITATION)].map((match) => match[1] ?? ''),
    ];
    for (const id of ids) {
      const files = cited.get(id) ?? new Set<string>();
      files.add(relative(TEST_ROOT, path));
      cited.set(id, files);
    }
  }
  return cited;
}

describe('the requirement list', () => {
  it('has well-formed, unique ids, apart from the rows that do not apply', () => {
    const ids = REQUIREMENTS.map((requirement) => requirement.id);
    for (const id of ids) assert.match(id, ID);
    assert.equal(new Set(ids).size, ids.length, 'duplicate ids');
    for (const { id } of NOT_APPLICABLE) assert.ok(!ids.includes(id), `${id} is both applicable and not`);
    for (const requirement of REQUIREMENTS) {
      assert.ok(requirement.behaviour.length > 0 && requirement.section.length > 0, requirement.id);
      assert.ok(requirement.revisions.length > 0, requirement.id);
    }
  });

  it('has every requirement cited by at least one test', async () => {
    const cited = await citations();
    const uncited = REQUIREMENTS.filter((requirement) => !cited.has(requirement.id)).map(
      (requirement) => `${requirement.id} (${requirement.behaviour})`,
    );
    assert.deepEqual(uncited, [], `requirements without a test:\n${uncited.join('\n')}`);
  });

  it('has no test citing an id that is not in the list', async () => {
    const known = new Set(REQUIREMENTS.map((requirement) => requirement.id));
    const unknown = [...(await citations())]
      .filter(([id]) => !known.has(id))
      .map(([id, files]) => `${id} in ${[...files].join(', ')}`);
    assert.deepEqual(unknown, []);
  });
});
