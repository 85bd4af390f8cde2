import { readRulesDocument } from '../access-rules/read-rules.ts';
import type { AccessRulesConfig } from '../access-rules/access-rules-config.ts';
import type { McpServer } from '../config.ts';
import type { EnvironmentReader } from '../environment-reader.ts';
import { structuredFile } from '../servers-file/index.ts';
import { optionalVariable, type VariableGroup } from '../variable.ts';
import { fileReportFor } from './file-report-for.ts';
import { MCP_AUTH_PROXY_SERVERS_FILE, type ServersRead } from './servers-file.ts';

export const MCP_AUTH_PROXY_ACCESS_RULES_FILE = optionalVariable({
  name: 'MCP_AUTH_PROXY_ACCESS_RULES_FILE',
  description:
    'A YAML (.yaml, .yml) or JSON (.json) file of access rules for the one MCP server (docs/access-rules.md): who may sign in (signIn), which tools, prompts and resources each user may use (access), and where the IdP puts groups, roles and email (identityClaims). It is re-read when it changes, and a valid change applies from the next request. With MCP_AUTH_PROXY_SERVERS_FILE, the rules go in that file instead.',
  example: 'access-rules.yaml',
  heroku: 'new',
  whenUnset: 'no access rules (unless the servers file has some): every user who signs in may use everything',
  parse: structuredFile('an access rules file'),
});

export const ACCESS_RULES_VARIABLES: VariableGroup = {
  title: 'Access rules',
  variables: [MCP_AUTH_PROXY_ACCESS_RULES_FILE],
};

const NO_RULES: AccessRulesConfig = { signIn: [], identityClaims: {}, file: undefined };

/**
 * The proxy-wide access rules, and the servers with their own: from the
 * servers file (its top level and each entry's `access`), or in single-server
 * mode from MCP_AUTH_PROXY_ACCESS_RULES_FILE, whose `access` is the one server's.
 */
export function readAccessRulesConfig(
  reader: EnvironmentReader,
  read: ServersRead,
): { readonly accessRules: AccessRulesConfig; readonly servers: ServersRead['servers'] } {
  if (reader.isSet(MCP_AUTH_PROXY_SERVERS_FILE)) {
    if (reader.isSet(MCP_AUTH_PROXY_ACCESS_RULES_FILE)) {
      reader.problem(
        MCP_AUTH_PROXY_ACCESS_RULES_FILE,
        `${MCP_AUTH_PROXY_ACCESS_RULES_FILE.name} is set together with ${MCP_AUTH_PROXY_SERVERS_FILE.name}: with a servers file, write signIn and identityClaims at its top and each server's rules under its access`,
      );
    }
    return { accessRules: read.rules ?? NO_RULES, servers: read.servers };
  }
  const document = reader.maybe(MCP_AUTH_PROXY_ACCESS_RULES_FILE);
  if (document === undefined) return { accessRules: NO_RULES, servers: read.servers };
  const report = fileReportFor(reader, MCP_AUTH_PROXY_ACCESS_RULES_FILE, document.label);
  const rules = readRulesDocument(document.content, reader.context, report);
  if (rules === undefined || read.servers === undefined)
    return { accessRules: NO_RULES, servers: read.servers };
  const [server] = read.servers;
  const withAccess: McpServer = rules.access.length === 0 ? server : { ...server, access: rules.access };
  const file = {
    kind: 'rules',
    path: document.path,
    label: document.label,
    cwd: reader.context.cwd,
  } as const;
  return {
    accessRules: { signIn: rules.signIn, identityClaims: rules.identityClaims, file },
    servers: [withAccess],
  };
}
