/** MCP_AUTH_PROXY_AUDIT_LOG: stdout by default, off, or a file whose directory exists. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadOk, loadProblems, MINIMAL_ENV, problemFor, temporaryDirectory } from './config-fixtures.ts';

describe('MCP_AUTH_PROXY_AUDIT_LOG', () => {
  it('writes to stdout unless told otherwise', () => {
    assert.deepEqual(loadOk(MINIMAL_ENV).config.audit.destination, { kind: 'stdout' });
  });

  it('reads off and stdout in any case, and a file relative to the working directory', (t) => {
    const dir = temporaryDirectory(t);
    const read = (value: string) =>
      loadOk({ ...MINIMAL_ENV, MCP_AUTH_PROXY_AUDIT_LOG: value }, dir).config.audit.destination;
    assert.deepEqual(read('OFF'), { kind: 'off' });
    assert.deepEqual(read('Stdout'), { kind: 'stdout' });
    assert.deepEqual(read('audit.jsonl'), { kind: 'file', path: join(dir, 'audit.jsonl') });
  });

  it('refuses a file in a directory that does not exist, or a directory, naming the variable', (t) => {
    const dir = temporaryDirectory(t);
    const missing = problemFor(
      loadProblems({ ...MINIMAL_ENV, MCP_AUTH_PROXY_AUDIT_LOG: join(dir, 'nowhere', 'audit.jsonl') }, dir),
      'MCP_AUTH_PROXY_AUDIT_LOG',
    );
    assert.match(missing.message, /does not exist/);
    const directory = problemFor(
      loadProblems({ ...MINIMAL_ENV, MCP_AUTH_PROXY_AUDIT_LOG: dir }, dir),
      'MCP_AUTH_PROXY_AUDIT_LOG',
    );
    assert.match(directory.message, /is a directory/);
  });
});
