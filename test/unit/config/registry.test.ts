import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, it } from 'node:test';
import { renderGeneratedFiles, REPOSITORY_ROOT } from '../../../scripts/generate-config-docs.ts';
import {
  envFileValue,
  HEROKU_MANAGED_VARIABLES,
  HEROKU_REDIS_ADDON,
  HEROKU_VALUES,
  README_END_MARKER,
  README_START_MARKER,
  replaceReadmeBlock,
  VARIABLES,
} from '../../../src/config/index.ts';
import { temporaryDirectory } from './config-fixtures.ts';

/** Examples that name files or directories, which do not exist on the test machine, or stand in for secrets. */
const EXAMPLES_NOT_PARSED = new Set([
  'MCP_SERVER_RUN_DIR',
  'MCP_AUTH_PROXY_SERVERS_FILE',
  'MCP_AUTH_PROXY_ACCESS_RULES_FILE',
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

describe('Heroku button (app.json, generated) and Procfile', () => {
  interface AppJson {
    env: Record<string, { description: string; required: boolean; value?: string; generator?: string }>;
    addons: Array<{ plan: string; as?: string }>;
    buildpacks: Array<{ url: string }>;
    formation: Record<string, { quantity: number }>;
  }
  const readAppJson = async (): Promise<AppJson> =>
    JSON.parse(await readFile(join(REPOSITORY_ROOT, 'app.json'), 'utf8')) as AppJson;

  it('describes every variable except those Heroku sets itself, with its requiredness', async () => {
    const { env } = await readAppJson();
    const operatorSet = VARIABLES.filter((variable) => HEROKU_MANAGED_VARIABLES[variable.name] === undefined);
    assert.deepEqual(Object.keys(env).sort(), operatorSet.map((variable) => variable.name).sort());
    for (const variable of operatorSet) {
      const entry = env[variable.name]!;
      assert.ok(entry.description.startsWith(variable.description), variable.name);
      assert.equal(entry.required, variable.default.kind === 'required', variable.name);
    }
  });

  it('pins no default: the only values set are the deployment choices, and they parse', async (t) => {
    const { env } = await readAppJson();
    const context = { cwd: temporaryDirectory(t) };
    const withValue = Object.entries(env).filter(([, entry]) => entry.value !== undefined);
    assert.deepEqual(
      Object.fromEntries(withValue.map(([name, entry]) => [name, entry.value])),
      HEROKU_VALUES,
    );
    for (const [name, entry] of withValue) {
      const variable = VARIABLES.find((candidate) => candidate.name === name)!;
      assert.ok(variable.parse(entry.value!, context).ok, name);
    }
  });

  it('generates the encryption key in a form the proxy accepts (64 hex digits)', async (t) => {
    const { env } = await readAppJson();
    assert.equal(env['MCP_AUTH_PROXY_ENCRYPTION_KEY']?.generator, 'secret');
    const variable = VARIABLES.find((candidate) => candidate.name === 'MCP_AUTH_PROXY_ENCRYPTION_KEY')!;
    assert.ok(variable.parse('ab'.repeat(32), { cwd: temporaryDirectory(t) }).ok);
  });

  it('provisions the Key-Value Store under the name that sets MCP_AUTH_PROXY_REDIS_URL', async () => {
    const manifest = await readAppJson();
    assert.deepEqual(manifest.addons, [HEROKU_REDIS_ADDON]);
    assert.ok(HEROKU_REDIS_ADDON.plan.startsWith('heroku-redis:'));
    const attachedVariable = `${HEROKU_REDIS_ADDON.as}_URL`;
    assert.ok(VARIABLES.some((variable) => variable.name === attachedVariable));
    assert.ok(HEROKU_MANAGED_VARIABLES[attachedVariable] !== undefined);
    assert.deepEqual(manifest.buildpacks, [{ url: 'heroku/nodejs' }]);
    assert.equal(manifest.formation['web']?.quantity, 1);
  });

  it('has a Procfile whose release phase runs the release check', async () => {
    const procfile = await readFile(join(REPOSITORY_ROOT, 'Procfile'), 'utf8');
    const processes = Object.fromEntries(
      procfile
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
    );
    assert.equal(processes['web'], 'npm start');
    assert.match(processes['release'] ?? '', /^MCP_AUTH_PROXY_VERIFY_RELEASE=true .*npm start$/);
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
