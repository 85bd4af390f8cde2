export { createInteractionRoutes } from './interaction-routes.ts';
export type { InteractionRoutesOptions } from './interaction-routes.ts';
export { ConfirmedClients } from './confirmed-clients.ts';
export type {
  RenderPage,
  SignInRules,
  UpstreamGrantRecord,
  UpstreamLogin,
  UpstreamLoginResult,
  UpstreamTokenSink,
} from './ports.ts';
export { createPageSignIn } from './page-sign-in.ts';
export type { PageSignIn } from './page-sign-in.ts';
export { csrfTokenFor } from './csrf.ts';
