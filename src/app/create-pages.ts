import type { ServerResponse } from 'node:http';
import type { Config } from '../config/config.ts';
import type { OAuthError } from '../oauth/oauth-error.ts';
import { createPageRenderer, pageSecurityHeaders, resolveBranding } from '../views/index.ts';

/** The HTML side: templates with the configured branding, their security headers, and the error page. */
export function createPages(config: Config) {
  const branding = resolveBranding({
    brandingTitle: config.pages.brandingTitle,
    brandingFaviconUrl: config.pages.brandingFaviconUrl,
    identityServerUrl: config.identity.serverUrl,
  });
  const renderer = createPageRenderer({ viewsPath: config.pages.viewsPath, branding });
  const pageHeaders = pageSecurityHeaders({ faviconOrigin: branding.faviconOrigin });
  const renderErrorPage = (error: string, description: string | undefined, requestId: string | undefined) =>
    renderer.render('error', { error, errorDescription: description, requestId });

  const sendErrorPage = async (res: ServerResponse, error: OAuthError, requestId: string) => {
    const html = await renderErrorPage(error.code, error.message, requestId);
    res.writeHead(error.status, {
      ...pageHeaders,
      'content-length': Buffer.byteLength(html),
      ...(error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) }),
    });
    res.end(html);
  };

  return { renderer, pageHeaders, renderErrorPage, sendErrorPage };
}

export type Pages = ReturnType<typeof createPages>;
