export { createStdioBridge } from './create-stdio-bridge.ts';
export type { StdioBridge, StdioBridgeOptions } from './create-stdio-bridge.ts';
export { INHERITED_VARIABLES } from './child-environment.ts';
export type { SessionEndReason } from './session-registry.ts';
