import type { McpServer } from '../config.ts';
import { describeJsonType } from '../parsers/index.ts';
import { invalid, valid } from '../variable.ts';
import { checkMounts } from './check-mounts.ts';
import type { EntryDefaults } from './entry-defaults.ts';
import { readFields } from './fields.ts';
import type { FileReport } from './file-report.ts';
import type { ServersFileDocument } from './parse-servers-file.ts';
import { readEntry } from './read-entry.ts';

/**
 * The servers of a parsed servers file, in the file's order (the first is the
 * default resource), or undefined after reporting every problem in it.
 * `baseUrl` undefined (itself invalid, reported elsewhere) still checks the
 * whole file.
 */
export function readServersDocument(
  document: ServersFileDocument,
  baseUrl: string | undefined,
  defaults: EntryDefaults,
  report: FileReport,
): [McpServer, ...McpServer[]] | undefined {
  const context = { cwd: document.directory, baseUrl };
  const root = readFields(document.content, '', ['servers'], context, report);
  if (root === undefined) return undefined;
  const list = root.optional('servers', (value) => {
    if (!Array.isArray(value)) return invalid(`must be a list of servers, got ${describeJsonType(value)}`);
    return value.length > 0 ? valid(value as unknown[]) : invalid('must list at least one server');
  });
  if (!root.has('servers'))
    report.problem('servers', 'is required: the list of MCP servers behind the proxy');
  if (list === undefined) return undefined;
  const outcomes = list.map((entry, index) => readEntry(entry, index, context, defaults, report));
  const distinct = checkMounts(outcomes, report);
  const servers = outcomes.flatMap((outcome) => (outcome.server === undefined ? [] : [outcome.server]));
  const [first, ...rest] = servers;
  if (!distinct || first === undefined || servers.length !== outcomes.length) return undefined;
  return [first, ...rest];
}
