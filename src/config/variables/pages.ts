import type { PagesConfig } from '../config.ts';
import type { EnvironmentReader } from '../environment-reader.ts';
import { httpUrl, parseText, viewsDirectory } from '../parsers/index.ts';
import { defaultedVariable, optionalVariable, type VariableGroup } from '../variable.ts';

export const OIDC_PROVIDER_VIEWS_PATH = optionalVariable({
  name: 'OIDC_PROVIDER_VIEWS_PATH',
  description:
    'An absolute path to a directory of EJS templates that replaces the built-in pages; it must contain _layout.ejs and confirm-login.ejs. A page it lacks (error.ejs, and the device-flow pages device-code.ejs and device-success.ejs) is the built-in one, rendered inside its _layout.ejs.',
  example: '/app/views',
  heroku: {
    changed:
      "must be absolute and is checked at start for _layout.ejs and confirm-login.ejs; the device-flow pages, oidc-provider's unstyled defaults there, are templates here, with the directory's layout",
  },
  whenUnset: 'the built-in templates',
  parse: viewsDirectory,
});

export const BRANDING_TITLE = defaultedVariable({
  name: 'BRANDING_TITLE',
  description: 'The title of the login pages (" | Heroku" is appended when the identity provider is Heroku).',
  example: 'Sign in to Acme MCP',
  heroku: 'same',
  defaultRaw: 'Login for Model Context Protocol',
  parse: parseText,
});

export const BRANDING_FAVICON = optionalVariable({
  name: 'BRANDING_FAVICON',
  description: 'The URL of the favicon of the login pages (ignored when the identity provider is Heroku).',
  example: 'https://www.example.com/favicon.ico',
  heroku: { changed: 'must be an absolute http(s) URL' },
  whenUnset: 'no favicon',
  parse: httpUrl,
});

export const PAGES_VARIABLES: VariableGroup = {
  title: 'Login pages',
  variables: [OIDC_PROVIDER_VIEWS_PATH, BRANDING_TITLE, BRANDING_FAVICON],
};

export function readPages(reader: EnvironmentReader): PagesConfig {
  return {
    viewsPath: reader.maybe(OIDC_PROVIDER_VIEWS_PATH),
    brandingTitle: reader.value(BRANDING_TITLE),
    brandingFaviconUrl: reader.maybe(BRANDING_FAVICON)?.href,
  };
}
