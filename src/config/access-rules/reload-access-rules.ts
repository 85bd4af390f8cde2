import type { AccessRule } from '../../policy/index.ts';
import { describeJsonType } from '../parsers/index.ts';
import { structuredFile } from '../servers-file/index.ts';
import type { FileReport } from '../servers-file/file-report.ts';
import type { AccessRulesFile, AccessRulesSnapshot } from './access-rules-config.ts';
import { readAccessRules, readIdentityClaims, readRulesDocument, readSignInRules } from './read-rules.ts';

export type ReloadedRules =
  | { readonly ok: true; readonly rules: AccessRulesSnapshot }
  | { readonly ok: false; readonly problems: readonly string[] };

/** The variable each kind of file is named by, for problems worded as at start. */
const VARIABLE_OF: Record<AccessRulesFile['kind'], string> = {
  servers: 'MCP_AUTH_PROXY_SERVERS_FILE',
  rules: 'MCP_AUTH_PROXY_ACCESS_RULES_FILE',
};

const NOUN_OF: Record<AccessRulesFile['kind'], string> = {
  servers: 'a servers file',
  rules: 'an access rules file',
};

/** The id of the one MCP_SERVER_* server, whose rules a rules file holds. */
const SINGLE_SERVER_ID = 'default';

/**
 * Reads the access rules again from the file they came from, with the same
 * checks and wording as at start. Only the rules are read: in a servers file,
 * `signIn`, `identityClaims` and each entry's `access` by its `id`; a change to
 * anything else there (a URL, a new server) takes a restart.
 */
export function reloadAccessRules(file: AccessRulesFile): ReloadedRules {
  const problems: string[] = [];
  const prefix = (at: string) => `${VARIABLE_OF[file.kind]} (${file.label}): ${at === '' ? '' : `${at}: `}`;
  const report: FileReport = {
    problem: (at, message) => problems.push(prefix(at) + message),
    warn: () => undefined,
  };
  const parsed = structuredFile(NOUN_OF[file.kind])(file.label, { cwd: file.cwd });
  if (!parsed.ok) {
    return { ok: false, problems: parsed.messages.map((message) => `${VARIABLE_OF[file.kind]} ${message}`) };
  }
  const context = { cwd: parsed.value.directory };
  const rules =
    file.kind === 'rules'
      ? rulesFileSnapshot(parsed.value.content, context, report)
      : serversFileSnapshot(parsed.value.content, context, report);
  return rules === undefined || problems.length > 0 ? { ok: false, problems } : { ok: true, rules };
}

function rulesFileSnapshot(
  content: unknown,
  context: { cwd: string },
  report: FileReport,
): AccessRulesSnapshot | undefined {
  const document = readRulesDocument(content, context, report);
  if (document === undefined) return undefined;
  return {
    signIn: document.signIn,
    identityClaims: document.identityClaims,
    access: new Map([[SINGLE_SERVER_ID, document.access]]),
  };
}

function serversFileSnapshot(
  content: unknown,
  context: { cwd: string },
  report: FileReport,
): AccessRulesSnapshot | undefined {
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    report.problem(
      '',
      `must be a mapping with servers, signIn and identityClaims; got ${describeJsonType(content)}`,
    );
    return undefined;
  }
  const top = content as Readonly<Record<string, unknown>>;
  const signIn = readSignInRules(top['signIn'], 'signIn', report);
  const identityClaims = readIdentityClaims(top['identityClaims'], 'identityClaims', context, report);
  const list = top['servers'];
  if (!Array.isArray(list)) {
    report.problem('servers', `must be a list of servers, got ${describeJsonType(list)}`);
    return undefined;
  }
  const access = new Map<string, readonly AccessRule[]>();
  (list as unknown[]).forEach((entry, index) => {
    if (typeof entry !== 'object' || entry === null) return;
    const { id, access: rules } = entry as Readonly<Record<string, unknown>>;
    const read = readAccessRules(rules ?? undefined, `servers[${index}].access`, report);
    if (typeof id === 'string' && read !== undefined) access.set(id.trim(), read);
  });
  if (signIn === undefined || identityClaims === undefined) return undefined;
  return { signIn, identityClaims, access };
}
