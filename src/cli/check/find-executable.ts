import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

export type ExecutableLookup =
  { readonly found: true; readonly path: string } | { readonly found: false; readonly reason: string };

/**
 * Finds a command the way spawn() without a shell does: a name with a slash is
 * a path (relative to the child's working directory), any other name is looked
 * up in each PATH entry in turn.
 */
export async function findExecutable(
  command: string,
  searchPath: string | undefined,
  cwd: string,
): Promise<ExecutableLookup> {
  if (command.includes('/')) {
    const path = isAbsolute(command) ? command : resolve(cwd, command);
    return (await isExecutableFile(path))
      ? { found: true, path }
      : { found: false, reason: `${path} is not an executable file` };
  }
  const directories = (searchPath ?? '').split(delimiter).filter(Boolean);
  for (const directory of directories) {
    const path = join(resolve(cwd, directory), command);
    if (await isExecutableFile(path)) return { found: true, path };
  }
  return { found: false, reason: `${command} is not in any PATH directory (${directories.length} searched)` };
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
