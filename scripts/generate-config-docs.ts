/**
 * Writes docs/configuration.md, .env.example and the Heroku button's app.json
 * from the variable registry, and refreshes the configuration block of
 * README.md when it has the markers.
 * Run with `npm run docs:config`; test/unit/config/registry.test.ts ("generated configuration docs")
 * fails when the committed files differ from what this produces.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import {
  renderAppJson,
  renderConfigurationMarkdown,
  renderEnvExample,
  renderReadmeBlock,
  replaceReadmeBlock,
  VARIABLE_GROUPS,
} from '../src/config/index.ts';

export const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Formats Markdown the way `npm run format` would, so `format:check` stays green. */
async function formatMarkdown(text: string, filepath: string): Promise<string> {
  const options = (await resolveConfig(filepath)) ?? {};
  return await format(text, { ...options, filepath, parser: 'markdown' });
}

/** Formats JSON as `npm run format` would. */
async function formatJson(text: string, filepath: string): Promise<string> {
  const options = (await resolveConfig(filepath)) ?? {};
  return await format(text, { ...options, filepath, parser: 'json' });
}

/** Path (relative to the repository) -> the content it must have. */
export async function renderGeneratedFiles(root: string = REPOSITORY_ROOT): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const docsPath = 'docs/configuration.md';
  files.set(
    docsPath,
    await formatMarkdown(renderConfigurationMarkdown(VARIABLE_GROUPS), join(root, docsPath)),
  );
  files.set('.env.example', renderEnvExample(VARIABLE_GROUPS));
  files.set('app.json', await formatJson(renderAppJson(VARIABLE_GROUPS), join(root, 'app.json')));

  const readme = await readFile(join(root, 'README.md'), 'utf8').catch(() => undefined);
  if (readme !== undefined) {
    const block = (
      await formatMarkdown(renderReadmeBlock(VARIABLE_GROUPS), join(root, 'README.md'))
    ).trimEnd();
    const updated = replaceReadmeBlock(readme, block);
    if (updated !== undefined) files.set('README.md', updated);
  }
  return files;
}

async function main(): Promise<void> {
  for (const [path, content] of await renderGeneratedFiles()) {
    await writeFile(join(REPOSITORY_ROOT, path), content);
    process.stdout.write(`wrote ${path}\n`);
  }
}

if (import.meta.main) await main();
