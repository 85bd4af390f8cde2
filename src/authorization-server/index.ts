export { createAuthorizationServer } from './create-authorization-server.ts';
export type { AuthorizationServer, AuthorizationServerOptions } from './create-authorization-server.ts';
export type { VerifiedAccess } from './verify-access-token.ts';
export {
  buildProtectedResourceMetadata,
  protectedResourceMetadataByPath,
  protectedResourceMetadataPath,
} from './protected-resource-metadata.ts';
export type { ProtectedResourceMetadata } from './protected-resource-metadata.ts';
export { isSameResource } from './resource.ts';
export { grantedScopes, requestedResources, stepUpOnlyScopes } from './protected-resources.ts';
export type { ProtectedResource, ProtectedResources } from './protected-resources.ts';
export {
  CLIENT_FORM_PATHS,
  PROVIDER_BODY_LIMIT_BYTES,
  providerRouteMethods,
  providerRouteTemplate,
} from './provider-routes.ts';
export { createPendingStepUps } from './step-up-refresh-refusal.ts';
export type { PendingStepUps } from './step-up-refresh-refusal.ts';
export { displayUserCode } from './device-flow.ts';
export type { DeviceCodeNotice, DeviceCodePage, DevicePages, DeviceSuccessPage } from './device-flow.ts';
