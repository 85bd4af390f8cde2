import type { IdentityClaimNames, SignInRule } from '../../policy/index.ts';
import { readIdentityClaims, readSignInRules } from '../access-rules/read-rules.ts';
import type { McpServer } from '../config.ts';
import { describeJsonType } from '../parsers/index.ts';
import { invalid, valid } from '../variable.ts';
import { checkMounts } from './check-mounts.ts';
import type { EntryDefaults } from './entry-defaults.ts';
import { readFields } from './fields.ts';
import type { FileReport } from './file-report.ts';
import type { ServersFileDocument } from './parse-servers-file.ts';
import { readEntry } from './read-entry.ts';

/** What a servers file configures: its servers, and the proxy-wide access rules at its top. */
export interface ServersDocument {
  /** In the file's order: the first is the default resource. */
  readonly servers: readonly [McpServer, ...McpServer[]];
  readonly signIn: readonly SignInRule[];
  readonly identityClaims: IdentityClaimNames;
}

/**
 * The servers of a parsed servers file and its top-level access rules
 * (`signIn`, `identityClaims`), or undefined after reporting every problem in it.
 * `baseUrl` undefined (itself invalid, reported elsewhere) still checks the
 * whole file.
 */
export function readServersDocument(
  document: ServersFileDocument,
  baseUrl: string | undefined,
  defaults: EntryDefaults,
  report: FileReport,
): ServersDocument | undefined {
  const context = { cwd: document.directory, baseUrl };
  const root = readFields(document.content, '', ['servers', 'signIn', 'identityClaims'], context, report);
  if (root === undefined) return undefined;
  const signIn = readSignInRules(root.value('signIn'), 'signIn', report);
  const identityClaims = readIdentityClaims(root.value('identityClaims'), 'identityClaims', context, report);
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
  if (signIn === undefined || identityClaims === undefined) return undefined;
  return { servers: [first, ...rest], signIn, identityClaims };
}
