import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

export interface ReadEnvironmentOptions {
  /** The directory whose `.env` file is read, when there is one. */
  readonly cwd: string;
  /** The real environment; tests pass their own. */
  readonly processEnv?: Readonly<Record<string, string | undefined>>;
}

/**
 * The environment the configuration is loaded from: the `.env` file in `cwd`
 * (when present) with the real environment laid over it, so a variable set by
 * the platform always wins over the file. With the registry this is the only
 * code that touches process.env; process.env itself is never modified.
 */
export function readEnvironment({
  cwd,
  processEnv = process.env,
}: ReadEnvironmentOptions): Record<string, string | undefined> {
  return { ...readEnvFile(join(cwd, '.env')), ...definedOnly(processEnv) };
}

function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  return parseEnv(text) as Record<string, string>;
}

/** An explicitly undefined entry must not hide the file's value. */
function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
