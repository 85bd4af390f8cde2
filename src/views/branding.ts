import {
  GENERIC_COLOURS,
  GENERIC_PALETTE,
  HEROKU_COLOURS,
  HEROKU_PALETTE,
  type BrandColours,
  type PagePalette,
} from './colour-scheme.ts';

/**
 * What every page (ours or an operator's custom template) gets as the
 * `branding` local. `favicon`, `logo` and `colors` are the names the reference
 * proxy's templates read (`branding.favicon`, `branding.logo`,
 * `branding.colors.primary`, ...); they alias our own names so that a
 * `OIDC_PROVIDER_VIEWS_PATH` directory written for it keeps rendering.
 */
export interface Branding {
  readonly title: string;
  /** Absent: no favicon link is rendered. */
  readonly faviconUrl: string | undefined;
  /** The favicon's origin when it is an absolute http(s) URL: the page CSP must allow it in img-src. */
  readonly faviconOrigin: string | undefined;
  /** Trusted, static SVG markup; inserted unescaped. */
  readonly logoSvg: string;
  readonly isHeroku: boolean;
  readonly colours: BrandColours;
  /** Contrast-checked colours our own templates paint with. */
  readonly palette: PagePalette;
  /** Reference name of `faviconUrl`. */
  readonly favicon: string | undefined;
  /** Reference name of `logoSvg`. */
  readonly logo: string;
  /** Reference name of `colours`. */
  readonly colors: BrandColours;
}

export interface BrandingOptions {
  /** BRANDING_TITLE */
  readonly brandingTitle: string;
  /** BRANDING_FAVICON; ignored under Heroku branding, as in the reference. */
  readonly brandingFaviconUrl?: string | undefined;
  /** IDENTITY_SERVER_URL */
  readonly identityServerUrl?: URL | string | undefined;
}

export const HEROKU_FAVICON_URL = 'https://www.herokucdn.com/favicon.ico';

const HEROKU_DOMAINS = ['heroku.com', 'herokudev.com'] as const;

// Our own drawing: a hexagon outline around a lower-case "h" stroke, then the word.
const HEROKU_LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="112" height="32" viewBox="0 0 112 32" role="img" aria-label="Heroku">' +
  '<path d="M16 2.5 27.7 9.25v13.5L16 29.5 4.3 22.75V9.25Z" fill="none" stroke="#ffffff" stroke-width="2.2" stroke-linejoin="round"/>' +
  '<path d="M12 9.5v13M12 16.2c1.6-1.4 3.3-2 5-2 1.8 0 3 1.1 3 3.1v5.2" fill="none" stroke="#ffffff" stroke-width="2.4" stroke-linecap="round"/>' +
  '<text x="36" y="22" fill="#ffffff" font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif" font-size="17" font-weight="700">Heroku</text>' +
  '</svg>';

const GENERIC_LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="32" viewBox="0 0 120 32" role="img" aria-label="MCP Auth">' +
  '<text x="0" y="23" fill="#2d3748" font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif" font-size="20" font-weight="700">MCP Auth</text>' +
  '</svg>';

/**
 * Heroku branding applies when the IdP's parsed host is heroku.com or
 * herokudev.com, or a subdomain of either. The reference tests a regex against
 * the whole URL string (heroku-compat §7.G), which brands `evilheroku.com` and
 * misses `https://id.heroku.com/`; comparing hosts fixes both.
 */
export function isHerokuIdentityServer(identityServerUrl: URL | string | undefined): boolean {
  const host = hostOf(identityServerUrl);
  if (host === undefined) return false;
  return HEROKU_DOMAINS.some((domain) => host === domain || host.endsWith(`.${domain}`));
}

export function resolveBranding(options: BrandingOptions): Branding {
  const isHeroku = isHerokuIdentityServer(options.identityServerUrl);
  const title = isHeroku ? `${options.brandingTitle} | Heroku` : options.brandingTitle;
  const faviconUrl = isHeroku ? HEROKU_FAVICON_URL : nonEmpty(options.brandingFaviconUrl);
  const logoSvg = isHeroku ? HEROKU_LOGO_SVG : GENERIC_LOGO_SVG;
  const colours = isHeroku ? HEROKU_COLOURS : GENERIC_COLOURS;
  return {
    title,
    faviconUrl,
    faviconOrigin: httpOriginOf(faviconUrl),
    logoSvg,
    isHeroku,
    colours,
    palette: isHeroku ? HEROKU_PALETTE : GENERIC_PALETTE,
    favicon: faviconUrl,
    logo: logoSvg,
    colors: colours,
  };
}

function hostOf(url: URL | string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const parsed = typeof url === 'string' ? URL.parse(url) : url;
  if (parsed === null || parsed.hostname === '') return undefined;
  // A fully qualified name may end in a dot; it names the same host.
  return parsed.hostname.toLowerCase().replace(/\.$/, '');
}

function httpOriginOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const parsed = URL.parse(url);
  if (parsed === null || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) return undefined;
  return parsed.origin;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
