import { readFile } from 'node:fs/promises';

/**
 * The package's version. package.json is two folders up from both
 * src/cli/ and dist/cli/, and ships in the package.
 */
export async function packageVersion(): Promise<string> {
  const text = await readFile(new URL('../../package.json', import.meta.url), 'utf8');
  const { version } = JSON.parse(text) as { version?: unknown };
  return typeof version === 'string' ? version : 'unknown';
}
