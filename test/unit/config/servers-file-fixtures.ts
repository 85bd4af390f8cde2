import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MINIMAL_ENV } from './config-fixtures.ts';

/** MINIMAL_ENV without MCP_SERVER_URL: what a servers file replaces. */
const { MCP_SERVER_URL: _url, ...WITHOUT_SERVER } = MINIMAL_ENV;
export const BASE_ENV: Readonly<Record<string, string>> = WITHOUT_SERVER;

/** Writes `text` at `name` under `directory` (creating folders) and returns the file's path. */
export function writeFile(directory: string, name: string, text: string): string {
  const path = join(directory, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** The environment that loads `name` (relative to the working directory) as the servers file. */
export const withServersFile = (name: string, env: Readonly<Record<string, string>> = {}) => ({
  ...BASE_ENV,
  MCP_AUTH_PROXY_SERVERS_FILE: name,
  ...env,
});

/** Every problem message, without the leading `MCP_AUTH_PROXY_SERVERS_FILE (file): `. */
export function fileMessages(
  problems: readonly { variable: string; message: string }[],
  file: string,
): string[] {
  const prefix = `MCP_AUTH_PROXY_SERVERS_FILE (${file}): `;
  return problems
    .filter(
      (problem) => problem.variable === 'MCP_AUTH_PROXY_SERVERS_FILE' && problem.message.startsWith(prefix),
    )
    .map((problem) => problem.message.slice(prefix.length));
}
