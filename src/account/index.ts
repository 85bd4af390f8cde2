export { ACCOUNT_PATH, createAccountRoutes } from './account-routes.ts';
export type { AccountRoutesOptions } from './account-routes.ts';
export { ACCOUNT_SESSION_SECONDS } from './account-session.ts';
export { createGrantActivity, LAST_USED_THROTTLE_MS } from './grant-activity.ts';
export type { GrantActivity, GrantActivityOptions } from './grant-activity.ts';
export type { AccountSignIn, RenderAccountPage, RevokeGrant } from './ports.ts';
