export { createSupervisor } from './create-supervisor.ts';
export type { Supervisor, SupervisorOptions, SupervisorState } from './create-supervisor.ts';
export { McpServerStartError } from './mcp-server-start-error.ts';
export type { McpServerStartFailure } from './mcp-server-start-error.ts';
export { exitCodeOf, signalExitCode } from './exit-code.ts';
export type { ProcessExit } from './exit-code.ts';
export { DEFAULT_RESTART_BACKOFF } from './restart-backoff.ts';
export type { RestartBackoffPolicy } from './restart-backoff.ts';
// Process-group spawning pieces, shared with the stdio bridge (src/stdio-bridge/).
export { signalProcessGroup, spawned } from './spawn-child.ts';
export type { SupervisedChild } from './spawn-child.ts';
export { terminateChild } from './terminate-child.ts';
export { createLineTail, pipeChildOutput } from './pipe-child-output.ts';
