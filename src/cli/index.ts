export type { CliIo, TextOutput } from './cli-io.ts';
export type { CliCommand, OptionHelp } from './command.ts';
export { CLIENT_PROFILES, type ClientProfile } from './client-profiles.ts';
export type { DemoRunOptions } from './demo.ts';
export { EXIT_CONFIG_INVALID, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.ts';
export type { Finding, FindingStatus, Report } from './output.ts';
export { COMMANDS, runCli } from './run-cli.ts';
