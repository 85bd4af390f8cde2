import { dirname, resolve } from 'node:path';
import { statSync } from 'node:fs';
import type { AuditConfig, AuditDestination } from '../config.ts';
import type { EnvironmentReader } from '../environment-reader.ts';
import { quoteValue } from '../parsers/index.ts';
import { defaultedVariable, invalid, valid, type ValueParser, type VariableGroup } from '../variable.ts';

/**
 * `stdout`, `off`, or a file. A file's directory must exist, so that a typo
 * is a problem at start and not a warning on the first sign-in.
 */
const parseAuditDestination: ValueParser<AuditDestination> = (raw, { cwd }) => {
  const word = raw.toLowerCase();
  if (word === 'stdout' || word === 'off') return valid({ kind: word });
  const path = resolve(cwd, raw);
  const directory = statSync(dirname(path), { throwIfNoEntry: false });
  if (directory?.isDirectory() !== true) {
    return invalid(
      `must be stdout, off or a file in an existing directory, but the directory of ${quoteValue(path)} does not exist`,
    );
  }
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory() === true) {
    return invalid(`must be stdout, off or a file, but ${quoteValue(path)} is a directory`);
  }
  return valid({ kind: 'file', path });
};

export const MCP_AUTH_PROXY_AUDIT_LOG = defaultedVariable({
  name: 'MCP_AUTH_PROXY_AUDIT_LOG',
  description:
    'Where the audit trail goes (docs/observability.md#audit-trail): `stdout` (with the JSON logs, each line marked `"logType":"audit"`, whatever LOG_LEVEL says), a file path (appended, one JSON object per line, created with mode 0600, reopened when rotated away), or `off`.',
  example: 'audit.jsonl',
  heroku: 'new',
  defaultRaw: 'stdout',
  parse: parseAuditDestination,
});

export const AUDIT_VARIABLES: VariableGroup = { title: 'Audit trail', variables: [MCP_AUTH_PROXY_AUDIT_LOG] };

export function readAudit(reader: EnvironmentReader): AuditConfig {
  return { destination: reader.value(MCP_AUTH_PROXY_AUDIT_LOG) };
}
