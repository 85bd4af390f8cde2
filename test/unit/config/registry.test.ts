import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, it } from 'node:test';
import { renderGeneratedFiles, REPOSITORY_ROOT } from '../../../scripts/generate-config-docs.ts';
import {
  envFileValue,
  README_END_MARKER,
  README_START_MARKER,
  replaceReadmeBlock,
  VARIABLES,
} from '../../../src/config/index.ts';
import { temporaryDirectory } from './config-fixtures.ts';

/** Examples that name files or directories, which do not exist on the test machine, or stand in for secrets. */
const EXAMPLES_NOT_PARSED = new Set([
  'MCP_SERVER_RUN_DIR',
  'IDENTITY_SERVER_METADATA_FILE',
  'OIDC_PROVIDER_VIEWS_PATH',
  'OIDC_PROVIDER_JWKS',
  'MCP_AUTH_PROXY_ENCRYPTION_KEY',
]);

describe('variable registry', () => {
  it('names every variable once', () => {
    const names = VARIABLES.map((variable) => variable.name);
    assert.deepEqual(
      names.filter((name, index) => names.indexOf(name) !== index),
      [],
    );
  });

  it('has a one-sentence description and an example for every variable', () => {
    for (const variable of VARIABLES) {
      assert.match(variable.description, /^[A-Z`"].*\.$/, variable.name);
      assert.notEqual(variable.example, '', variable.name);
    }
  });

  it('parses every documented default and every example', (t) => {
    const context = { cwd: temporaryDirectory(t) };
    for (const variable of VARIABLES) {
      if (variable.default.kind === 'value') {
        assert.ok(variable.parse(variable.default.raw, context).ok, `default of ${variable.name}`);
      }
      if (!EXAMPLES_NOT_PARSED.has(variable.name)) {
        assert.ok(variable.parse(variable.example, context).ok, `example of ${variable.name}`);
      }
    }
  });

  it('writes examples that util.parseEnv reads back unchanged', () => {
    for (const variable of VARIABLES) {
      const parsed = parseEnv(`${variable.name}=${envFileValue(variable.example)}`);
      assert.equal(parsed[variable.name], variable.example, variable.name);
    }
  });
});

describe('generated configuration docs', () => {
  it('are up to date with the registry', async () => {
    for (const [path, expected] of await renderGeneratedFiles()) {
      const actual = await readFile(join(REPOSITORY_ROOT, path), 'utf8').catch(() => '');
      assert.ok(
        actual === expected,
        `${path} is out of date with src/config/variables/: run npm run docs:config`,
      );
    }
  });

  it('list every variable in .env.example, commented out', async () => {
    const example = await readFile(join(REPOSITORY_ROOT, '.env.example'), 'utf8');
    for (const variable of VARIABLES) {
      assert.ok(example.includes(`\n# ${variable.name}=${envFileValue(variable.example)}\n`), variable.name);
    }
    assert.deepEqual(parseEnv(example), {}, 'every line of .env.example is commented out');
  });
});

describe('README configuration block', () => {
  it('replaces only the text between the markers', () => {
    const readme = `# Title\n\n${README_START_MARKER}\nold table\n${README_END_MARKER}\n\nMore.\n`;
    assert.equal(
      replaceReadmeBlock(readme, '| new |'),
      `# Title\n\n${README_START_MARKER}\n\n| new |\n\n${README_END_MARKER}\n\nMore.\n`,
    );
  });

  it('leaves a README without markers alone', () => {
    assert.equal(replaceReadmeBlock('# Title\n', '| new |'), undefined);
  });
});
