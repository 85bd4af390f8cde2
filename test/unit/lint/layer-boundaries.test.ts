import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { layerZones } from '../../../eslint-rules/layers.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RULE = 'import-x/no-restricted-paths';

/** ESLint with the project's layer rule alone, so that a file that is not on disk can be linted. */
function layerLinter(): ESLint {
  return new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: {
      files: ['**/*.ts'],
      languageOptions: { parser: tseslint.parser },
      plugins: { 'import-x': importX },
      settings: { 'import-x/resolver-next': [importX.createNodeResolver()] },
      rules: { [RULE]: ['error', { basePath: ROOT, zones: layerZones() }] },
    },
  });
}

/** The layer rule's messages for `code`, linted as if it were the file `path`. */
async function problemsOf(path: string, code: string): Promise<string[]> {
  const [result] = await layerLinter().lintText(code, { filePath: `${ROOT}${path}` });
  return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
}

describe('the layer order of style.md, as a lint rule', () => {
  it('is on, with these zones, for every file of src/ in the project configuration', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    for (const path of ['src/store/open-store.ts', 'src/http-kit/respond.ts', 'src/app/build-app.ts']) {
      const config = (await eslint.calculateConfigForFile(`${ROOT}${path}`)) as {
        rules: Record<string, unknown>;
      };
      assert.deepEqual(config.rules[RULE], [2, { basePath: ROOT.replace(/\/$/, ''), zones: layerZones() }]);
    }
  });

  it('fails a store that imports the proxy, naming what the store may import', async () => {
    const problems = await problemsOf(
      'src/store/wrong-way.ts',
      "import { createMcpProxy } from '../proxy/index.ts';\nexport const proxy = createMcpProxy;\n",
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^import-x\/no-restricted-paths: .*"\.\.\/proxy\/index\.ts"/);
    assert.match(problems[0]!, /store is in the layer "stores" and may import only shared, oauth, .*config/);
  });

  it('lets a layer import the layers below it', async () => {
    assert.deepEqual(
      await problemsOf(
        'src/proxy/right-way.ts',
        "import { openStore } from '../store/index.ts';\nimport { sendJson } from '../http-kit/respond.ts';\n" +
          'export const both = [openStore, sendJson];\n',
      ),
      [],
    );
  });

  it('keeps the leaves leaves: shared/ imports nothing of ours, the HTTP toolkit never the host', async () => {
    assert.equal(
      (await problemsOf('src/shared/wrong-way.ts', "export { OAuthError } from '../oauth/oauth-error.ts';\n"))
        .length,
      1,
    );
    assert.equal(
      (
        await problemsOf(
          'src/http-kit/wrong-way.ts',
          "export { answerError } from '../http/error-boundary.ts';\n",
        )
      ).length,
      1,
    );
  });

  it('fails an import between siblings of one layer, and a dynamic import', async () => {
    assert.equal(
      (
        await problemsOf(
          'src/metrics/wrong-way.ts',
          "export { startTracing } from '../telemetry/index.ts';\n",
        )
      ).length,
      1,
    );
    assert.equal(
      (
        await problemsOf(
          'src/config/wrong-way.ts',
          "export const app = await import('../app/build-app.ts');\n",
        )
      ).length,
      1,
    );
  });

  it('holds the rules the order alone allows: the proxy never imports the authorization server, nor anyone a store driver', async () => {
    const proxy = await problemsOf(
      'src/proxy/wrong-way.ts',
      "export { createAuthorizationServer } from '../authorization-server/index.ts';\n",
    );
    assert.equal(proxy.length, 1);
    assert.match(proxy[0]!, /never imports the authorization server/);
    const driver = await problemsOf(
      'src/keys/wrong-way.ts',
      "export { createSqliteStore } from '../store/sqlite/sqlite-store.ts';\n",
    );
    assert.equal(driver.length, 1);
    assert.match(driver[0]!, /through store\/index\.ts/);
    const views = await problemsOf(
      'src/authorization-server/wrong-way.ts',
      "export { createPageRenderer } from '../views/index.ts';\n",
    );
    assert.match(views.join('\n'), /never imports views/);
  });

  it('refuses an import between the two MCP transports, which share only the admission pipeline', async () => {
    const problems = await problemsOf(
      'src/stdio-bridge/wrong-way.ts',
      "export { createMcpProxy } from '../proxy/index.ts';\n",
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /stdio-bridge is in the layer/);
  });
});
