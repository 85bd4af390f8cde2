import type { McpServer } from '../config.ts';
import { mountPathProblem } from '../mount-path.ts';
import {
  headerName,
  parseText,
  positiveInteger,
  positiveMilliseconds,
  quoteValue,
  urlPath,
} from '../parsers/index.ts';
import { invalid, valid, type ParseContext, type ValueParser } from '../variable.ts';
import type { EntryDefaults } from './entry-defaults.ts';
import { readFields, scalar, text, type Fields } from './fields.ts';
import { trackProblems, type FileReport } from './file-report.ts';
import { readScopeSettings } from './read-scope-settings.ts';
import { readUpstream } from './read-upstream.ts';
import { readAccessRules } from '../access-rules/read-rules.ts';

const ENTRY_FIELDS = [
  'id',
  'path',
  'displayName',
  'url',
  'run',
  'stdio',
  'scopes',
  'scopeRules',
  'scopeIncludes',
  'rateLimit',
  'userIdHeader',
  'access',
];

/** Short and plain: it names the server in logs, metrics labels, /readyz and the audit trail. */
const SERVER_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

const serverId: ValueParser<string> = (raw) =>
  SERVER_ID.test(raw)
    ? valid(raw)
    : invalid(
        `must be lower-case letters, digits and -, starting with a letter or digit, at most 63 characters (e.g. tickets), got ${quoteValue(raw)}`,
      );

/** The rules of MCP_SERVER_URL's path, with a field path instead of a variable name. */
const mountPath: ValueParser<string> = (raw, context) => {
  const parsed = urlPath()(raw, context);
  if (!parsed.ok) return parsed;
  const problem = mountPathProblem(parsed.value);
  return problem === undefined ? parsed : invalid(problem);
};

/** What one entry of the servers file makes, and what the checks across entries need of it even when it is broken. */
export interface EntryOutcome {
  readonly index: number;
  readonly id: string | undefined;
  readonly path: string | undefined;
  /** Undefined when anything in the entry is wrong (every problem is reported). */
  readonly server: McpServer | undefined;
}

export interface FileContext extends ParseContext {
  /** BASE_URL, the prefix of each server's resource; undefined when it is itself invalid (reported elsewhere). */
  readonly baseUrl: string | undefined;
}

function readRateLimit(entry: Fields, defaults: EntryDefaults['rateLimit']): EntryDefaults['rateLimit'] {
  const fields = entry.mapping('rateLimit', ['maxRequests', 'windowMs']);
  return {
    maxRequests: fields?.optional('maxRequests', scalar(positiveInteger)) ?? defaults.maxRequests,
    windowMs: fields?.optional('windowMs', scalar(positiveMilliseconds)) ?? defaults.windowMs,
  };
}

/** One `servers[index]`: every field read and checked, each problem reported at its own path. */
export function readEntry(
  value: unknown,
  index: number,
  context: FileContext,
  defaults: EntryDefaults,
  report: FileReport,
): EntryOutcome {
  const at = `servers[${index}]`;
  const tracked = trackProblems(report);
  const entry = readFields(value, at, ENTRY_FIELDS, context, tracked);
  if (entry === undefined) return { index, id: undefined, path: undefined, server: undefined };
  const id = entry.required('id', text(serverId), 'tickets');
  const path = entry.required('path', text(mountPath), '/tickets/mcp');
  const displayName = entry.optional('displayName', text(parseText));
  const upstream = readUpstream(entry, defaults, context.cwd, tracked);
  const scopes = readScopeSettings(entry, defaults, tracked);
  const rateLimit = readRateLimit(entry, defaults.rateLimit);
  const userIdHeader = entry.optional('userIdHeader', text(headerName)) ?? defaults.userIdHeader;
  const access = readAccessRules(entry.value('access'), `${at}.access`, tracked);
  const outcome = { index, id, path, server: undefined };
  if (tracked.failed || context.baseUrl === undefined) return outcome;
  if (id === undefined || path === undefined || upstream === undefined || scopes === undefined)
    return outcome;
  const common = {
    id,
    displayName,
    path,
    resource: context.baseUrl + path,
    ...scopes,
    rateLimit,
    userIdHeader,
    ...(access === undefined || access.length === 0 ? {} : { access }),
  };
  return { ...outcome, server: { ...common, ...upstream } };
}
