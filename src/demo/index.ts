/**
 * The demo (`npm run demo`, `mcp-auth-proxy demo`): a development identity
 * provider and an example MCP server behind the proxy. Its example server needs
 * the MCP SDK and zod, which are dev dependencies: load this module lazily
 * (`await import(...)`) so a production install never reaches it.
 */
export { renderDemoBanner, inspectorCommand, type DemoBannerFacts } from './demo-banner.ts';
export {
  DEMO_DEFAULT_PORT,
  DEMO_SQLITE_PATH,
  DemoConfigurationError,
  demoProxyEnvironment,
  readDemoSettings,
  type DemoParts,
  type DemoSettings,
} from './demo-environment.ts';
export {
  assertDevelopmentIdpAllowed,
  DevelopmentIdpRefusedError,
  type DevelopmentIdpEnvironment,
  type DevelopmentIdpRefusal,
} from './development-idp-guard.ts';
export { startDevelopmentIdp, type DevelopmentIdp, type DevelopmentIdpOptions } from './development-idp.ts';
export {
  EXAMPLE_MCP_PATH,
  startExampleMcpServer,
  type ExampleMcpServer,
  type ExampleMcpServerOptions,
} from './example-mcp-server.ts';
export { EXAMPLE_TOOL_NAMES } from './example-tools.ts';
export { runDemo, type DemoRunOptions } from './demo-runner.ts';
export { runDemoUntilStopped, type DemoOutput, type RunDemoOptions } from './run-demo-until-stopped.ts';
export { startDemo, type Demo, type StartDemoOptions } from './start-demo.ts';
