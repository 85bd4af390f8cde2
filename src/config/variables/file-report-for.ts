import type { EnvironmentReader } from '../environment-reader.ts';
import type { FileReport } from '../servers-file/index.ts';
import type { AnyVariable } from '../variable.ts';

/**
 * Problems of a file a variable names, each recorded against that variable and worded
 * `VARIABLE (file): field path: predicate`, e.g.
 * `MCP_AUTH_PROXY_SERVERS_FILE (servers.yaml): servers[1].url: must ...`.
 */
export function fileReportFor(reader: EnvironmentReader, variable: AnyVariable, label: string): FileReport {
  const prefix = (at: string) => `${variable.name} (${label}): ${at === '' ? '' : `${at}: `}`;
  return {
    problem: (at, message) => reader.problem(variable, prefix(at) + message),
    warn: (at, message) => reader.warn(prefix(at) + message),
  };
}
