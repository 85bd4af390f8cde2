export { createAdmission } from './create-admission.ts';
export type {
  AdmissionOptions,
  AdmissionStepsOf,
  GuardedResource,
  ServerAdmission,
} from './create-admission.ts';
export { newAdmission, runAdmission } from './admission.ts';
export type {
  AdmitStep,
  Admission,
  AdmissionHead,
  AdmissionSteps,
  AuthenticateStep,
  StepResult,
  Verified,
} from './admission.ts';
export type {
  AdmitUnauthenticated,
  GrantIdentities,
  IsUpstreamAvailable,
  ServerAccessRules,
  SessionOwners,
  StepUpPolicy,
  UpstreamTokenSource,
  VerifiedAccess,
  VerifyAccessToken,
} from './ports.ts';
export type { ChallengeReason, McpReplies } from './mcp-replies.ts';
export { mcpRequestEvent } from './mcp-request-event.ts';
export type { McpRequestTiming } from './mcp-request-event.ts';
