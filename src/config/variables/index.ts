import type { AnyVariable, VariableGroup } from '../variable.ts';
import { ACCESS_RULES_VARIABLES } from './access-rules.ts';
import { ADMIN_API_VARIABLES } from './admin-api.ts';
import { AUDIT_VARIABLES } from './audit.ts';
import { AUTHORIZATION_SERVER_VARIABLES } from './authorization-server.ts';
import { IDENTITY_VARIABLES } from './identity.ts';
import { KEY_VARIABLES } from './keys.ts';
import { LOG_VARIABLES } from './log.ts';
import { MCP_SERVER_VARIABLES } from './mcp-server.ts';
import { METRICS_VARIABLES } from './metrics.ts';
import { PAGES_VARIABLES } from './pages.ts';
import { PROXY_VARIABLES } from './proxy.ts';
import { RATE_LIMIT_VARIABLES } from './rate-limit.ts';
import { SERVER_VARIABLES } from './server.ts';
import { SERVERS_FILE_VARIABLES } from './servers-file.ts';
import { STORE_VARIABLES } from './store.ts';
import { TELEMETRY_VARIABLES } from './telemetry.ts';

/** Every variable the proxy reads, grouped as in docs/configuration.md. */
export const VARIABLE_GROUPS: readonly VariableGroup[] = [
  SERVER_VARIABLES,
  MCP_SERVER_VARIABLES,
  SERVERS_FILE_VARIABLES,
  ACCESS_RULES_VARIABLES,
  STORE_VARIABLES,
  KEY_VARIABLES,
  AUTHORIZATION_SERVER_VARIABLES,
  IDENTITY_VARIABLES,
  PAGES_VARIABLES,
  PROXY_VARIABLES,
  RATE_LIMIT_VARIABLES,
  LOG_VARIABLES,
  AUDIT_VARIABLES,
  TELEMETRY_VARIABLES,
  METRICS_VARIABLES,
  ADMIN_API_VARIABLES,
];

export const VARIABLES: readonly AnyVariable[] = VARIABLE_GROUPS.flatMap((group) => group.variables);

export { readAccessRulesConfig } from './access-rules.ts';
export { readAdminApi } from './admin-api.ts';
export { readAudit } from './audit.ts';
export { readAuthorizationServer } from './authorization-server.ts';
export { readIdentity } from './identity.ts';
export { readKeys } from './keys.ts';
export { readLog } from './log.ts';
export { readMetrics } from './metrics.ts';
export { readPages } from './pages.ts';
export { readProxy } from './proxy.ts';
export { readRateLimit } from './rate-limit.ts';
export { readServer } from './server.ts';
export { allScopes, readServers } from './servers-file.ts';
export { readStore } from './store.ts';
export { readTelemetry } from './telemetry.ts';
