import type { BrowserContext, Page } from 'playwright-core';
import type { PageGlobals } from './page-globals.ts';

export interface RequestLogOptions {
  /** Origins the pages may load from: the proxy, the IdP, the client's redirect URI. */
  readonly allowedOrigins: readonly string[];
  /**
   * Origins a branding variable allows (e.g. the Heroku favicon at herokucdn.com).
   * Requests there are answered locally with an empty body, so the test never
   * touches the network.
   */
  readonly stubbedOrigins?: readonly string[];
}

export interface RequestLog {
  /** Every URL any page of the context requested, redirects included. */
  readonly urls: string[];
  /** Requests to an origin that is neither allowed nor stubbed. */
  foreign(): string[];
  /** Requests that went to a stubbed origin. */
  stubbed(): string[];
}

const EMPTY_ICON = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

/**
 * Records every request the context's pages make (`request` fires for
 * redirects too, where routes do not) and keeps the browser off the network:
 * stubbed origins get a 1x1 PNG, anything else foreign is aborted. Playwright
 * neither reports nor lets through any URL ending in `/favicon.ico` once a
 * route is set (it aborts them), so `resourceUrlsInMarkup` covers favicons.
 */
export async function recordRequests(
  context: BrowserContext,
  options: RequestLogOptions,
): Promise<RequestLog> {
  const allowed = new Set(options.allowedOrigins);
  const stubbed = new Set(options.stubbedOrigins ?? []);
  const urls: string[] = [];
  const originOf = (url: string): string => URL.parse(url)?.origin ?? url;
  const isLocal = (url: string): boolean => url.startsWith('data:') || url === 'about:blank';
  context.on('request', (request) => urls.push(request.url()));
  await context.route(
    (url) => !allowed.has(url.origin),
    async (route) => {
      if (stubbed.has(originOf(route.request().url()))) {
        await route.fulfill({ status: 200, contentType: 'image/png', body: EMPTY_ICON });
      } else {
        await route.abort('blockedbyclient');
      }
    },
  );
  return {
    urls,
    foreign: () =>
      urls.filter((url) => !isLocal(url) && !allowed.has(originOf(url)) && !stubbed.has(originOf(url))),
    stubbed: () => urls.filter((url) => stubbed.has(originOf(url))),
  };
}

/** Elements whose URL the browser loads by itself (not links or forms, which wait for a person). */
const LOADING_ELEMENTS =
  'link[href], img[src], script[src], iframe[src], frame[src], source[src], video[src], audio[src], track[src], embed[src], object[data], input[type="image"][src]';

/**
 * Every URL the current page's markup would load (stylesheets, icons, images,
 * scripts, frames). The request log cannot show favicons (see
 * `recordRequests`); the markup shows what a desktop browser would load.
 */
export async function resourceUrlsInMarkup(page: Page): Promise<string[]> {
  return await page.evaluate((selector) => {
    const { document } = globalThis as unknown as PageGlobals;
    return [...document.querySelectorAll(selector)].map(
      (element) => element.href ?? element.src ?? element.data ?? '',
    );
  }, LOADING_ELEMENTS);
}
