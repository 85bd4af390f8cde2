export { resolveBranding, isHerokuIdentityServer, HEROKU_FAVICON_URL } from './branding.ts';
export type { Branding, BrandingOptions } from './branding.ts';
export {
  contrastRatio,
  HEROKU_COLOURS,
  GENERIC_COLOURS,
  HEROKU_PALETTE,
  GENERIC_PALETTE,
} from './colour-scheme.ts';
export type { BrandColours, ButtonColours, PagePalette } from './colour-scheme.ts';
export { createPageRenderer, BUILT_IN_VIEWS_PATH } from './page-renderer.ts';
export type { PageRenderer, PageRendererOptions } from './page-renderer.ts';
export type {
  AccountApp,
  AccountAppServer,
  AccountLocals,
  AccountNotice,
  ConfirmLoginClient,
  ConfirmLoginLocals,
  ConfirmLoginServer,
  DeviceCodeLocals,
  DeviceSuccessLocals,
  ErrorPageLocals,
  InjectedLocals,
  PageLocals,
  PageTime,
  SignInRefusedLocals,
} from './page-locals.ts';
export { pageSecurityHeaders } from './page-headers.ts';
export type { PageHeaderOptions } from './page-headers.ts';
export { redirectHostnames } from './redirect-hostnames.ts';
export { deviceCodeTitle } from './device-code-title.ts';
