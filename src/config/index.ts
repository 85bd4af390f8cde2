export type {
  AdminApiConfig,
  AuditConfig,
  AuditDestination,
  AuthorizationServerConfig,
  Config,
  IdentityConfig,
  KeyConfig,
  LogConfig,
  LogLevel,
  McpServer,
  McpServerCommon,
  McpServerConfig,
  McpServerRunConfig,
  McpStdioBridgeConfig,
  McpStdioServerConfig,
  MetricsConfig,
  PagesConfig,
  ProxyConfig,
  RateLimitConfig,
  RedisAuth,
  RedisNatMap,
  RedisNodeAddress,
  RedisTopology,
  StoreConfig,
  TelemetryConfig,
  TraceExporterConfig,
  TracingOn,
} from './config.ts';
export type { ConfigProblem, ConfigResult } from './config-result.ts';
export {
  reloadAccessRules,
  watchAccessRules,
  type AccessRulesConfig,
  type AccessRulesFile,
  type AccessRulesSnapshot,
  type ReloadedRules,
  type RulesWatch,
} from './access-rules/index.ts';
export { describeConfig, type ConfigDescription } from './describe-config.ts';
export {
  defaultText,
  envFileValue,
  HEROKU_GENERATED,
  HEROKU_MANAGED_VARIABLES,
  HEROKU_REDIS_ADDON,
  HEROKU_VALUES,
  herokuText,
  renderAppJson,
  type AppJsonEnvEntry,
  README_END_MARKER,
  README_START_MARKER,
  renderConfigurationMarkdown,
  renderEnvExample,
  renderReadmeBlock,
  replaceReadmeBlock,
} from './documentation/index.ts';
export { formatProblems } from './format-problems.ts';
export { loadConfig, type LoadConfigOptions } from './load-config.ts';
export { readEnvironment, type ReadEnvironmentOptions } from './read-environment.ts';
export type { AnyVariable, HerokuCompatibility, VariableGroup } from './variable.ts';
export { VARIABLE_GROUPS, VARIABLES } from './variables/index.ts';
