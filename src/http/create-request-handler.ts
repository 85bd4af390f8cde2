import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  PROVIDER_BODY_LIMIT_BYTES,
  providerRouteMethods,
  providerRouteTemplate,
  type ProtectedResourceMetadata,
} from '../authorization-server/index.ts';
import { OAuthError } from '../oauth/oauth-error.ts';
import type { Logger } from '../shared/logger.ts';
import { sanitizeUrl } from '../shared/logger.ts';
import { answerPreflight, applyCors } from '../http-kit/cors.ts';
import { answerError } from './error-boundary.ts';
import {
  declaredLengthOf,
  discardRequestBody,
  refuseOversizedBody,
} from '../http-kit/refuse-oversized-body.ts';
import { createMcpRequestOriginCheck } from './mcp-request-origin.ts';
import { requestIdOf, requestProtocolOf } from '../http-kit/request-context.ts';
import { redirect, sendJson, sendOAuthError } from '../http-kit/respond.ts';
import type { Route } from '../http-kit/router.ts';
import type { AddressRateLimit } from './address-rate-limit.ts';
import { ignoreEvents, type Observe } from '../observability/index.ts';
import { writeRateLimitHeaders } from '../http-kit/rate-limiter.ts';
import { Router } from '../http-kit/router.ts';

/** Endpoints that browser-based clients call cross-origin. */
const CORS_PATHS = /^\/(token(\/revocation)?|device\/auth|reg|register|jwks|me|\.well-known\/.*)$/;
/** Responses the MCP endpoint answers and logs itself (proxy.request, stdio_bridge.request). */
const proxiedResponses = new WeakSet<ServerResponse>();
/** MCP 2025-03-26 clients without metadata discovery use these default paths (spec "Fallbacks"). */
const FALLBACK_ALIASES: Readonly<Record<string, string>> = { '/authorize': '/auth', '/register': '/reg' };
const KNOWN_METADATA_PATHS: ReadonlySet<string> = new Set([
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-authorization-server',
]);

/**
 * Runs one request inside a server span (src/telemetry); `route` is its route
 * template (`POST /interaction/:uid` is named from `/interaction/:uid`), or
 * undefined when no route matched. Absent = requests are not traced.
 */
export type TraceRequest = (
  req: IncomingMessage,
  res: ServerResponse,
  route: string | undefined,
  handle: () => Promise<void>,
) => Promise<void>;

export interface MountedHandler {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void> | void;
}

export interface RequestHandlerOptions {
  /** BASE_URL: plain-http GETs are redirected here, never to a client-supplied Host. */
  baseUrl: string;
  localInsecure: boolean;
  mcpPath: string;
  /** MCP_AUTH_PROXY_ALLOWED_ORIGINS: browser origins allowed on the MCP endpoint besides BASE_URL's. */
  allowedOrigins?: readonly string[] | undefined;
  protectedResourceMetadata: ProtectedResourceMetadata;
  protectedResourceMetadataPath: string;
  authorizationServer: MountedHandler;
  routes: readonly Route[];
  mcpProxy: MountedHandler;
  /**
   * MAX_REQUESTS per MAX_REQUESTS_WINDOW, per client address (and client id where named), on every
   * route but the MCP endpoint, which counts only its requests without a valid token itself.
   */
  addressRateLimit?: AddressRateLimit | undefined;
  /** Told of each refused Origin (audit). */
  observe?: Observe | undefined;
  /** Renders and sends the HTML error page for browser-facing routes. */
  sendErrorPage: (res: ServerResponse, error: OAuthError, requestId: string) => Promise<void>;
  traceRequest?: TraceRequest | undefined;
  logger: Logger;
}

/**
 * The route table in front of everything: request id, access log, HTTPS
 * guard, CORS, metadata, rate limits, then the MCP proxy, our interaction
 * routes, or oidc-provider. The MCP path is matched first and does no other
 * work, because it is the hot path.
 */
export function createRequestHandler(options: RequestHandlerOptions) {
  const { logger, mcpPath } = options;
  const observe = options.observe ?? ignoreEvents;
  const trustForwarded = !options.localInsecure;
  const router = new Router();
  for (const route of options.routes) router.add(route);
  const metadataBody = JSON.stringify(options.protectedResourceMetadata);
  const refuseMcpOrigin = createMcpRequestOriginCheck({
    baseUrl: options.baseUrl,
    allowedOrigins: options.allowedOrigins ?? [],
    localInsecure: options.localInsecure,
  });

  const SLASH = 47;
  const isMcpPath = (pathname: string) =>
    pathname === mcpPath || (pathname.startsWith(mcpPath) && pathname.charCodeAt(mcpPath.length) === SLASH);

  async function route(incoming: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const rawUrl = incoming.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const pathname = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
    const method = incoming.method ?? 'GET';

    if (isMcpPath(pathname)) {
      const refusal = refuseMcpOrigin(incoming.headers);
      if (refusal !== undefined) {
        const { origin, host } = incoming.headers;
        observe({ type: 'origin.refused', origin, host, request: incoming });
        return sendOAuthError(res, refusal);
      }
      if (method === 'OPTIONS') return answerPreflight(incoming, res, 'GET, POST, DELETE, OPTIONS');
      applyCors(res);
      proxiedResponses.add(res);
      await options.mcpProxy.handle(incoming, res);
      return;
    }

    // Every other route counts against MAX_REQUESTS, as in the Heroku proxy (address-rate-limit.ts).
    let req = incoming;
    if (options.addressRateLimit !== undefined) {
      const admission = await options.addressRateLimit.admit(incoming);
      req = admission.request;
      writeRateLimitHeaders(res, admission.decision);
      if (!admission.decision.allowed) {
        if (CORS_PATHS.test(pathname)) applyCors(res);
        sendOAuthError(res, new OAuthError('rate_limited', 'too many requests; slow down and retry later'));
        return;
      }
    }

    if (CORS_PATHS.test(pathname)) {
      if (method === 'OPTIONS') return answerPreflight(req, res, 'GET, POST, OPTIONS');
      applyCors(res);
    }

    if (
      pathname === '/.well-known/oauth-protected-resource' ||
      pathname === options.protectedResourceMetadataPath
    ) {
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(metadataBody),
        'cache-control': 'public, max-age=3600',
      });
      res.end(method === 'HEAD' ? undefined : metadataBody);
      return;
    }

    if (pathname === '/.well-known/oauth-authorization-server') {
      if (method !== 'GET' && method !== 'HEAD') return refuseMethod(res, method, ['GET', 'HEAD']);
      // RFC 8414 and OpenID discovery are one document, so they can never disagree.
      req.url = '/.well-known/openid-configuration';
      await options.authorizationServer.handle(req, res);
      return;
    }

    const alias = FALLBACK_ALIASES[pathname];
    if (alias !== undefined) req.url = alias + (queryStart === -1 ? '' : rawUrl.slice(queryStart));
    const effectivePath = alias ?? pathname;

    const match = router.match(method, effectivePath);
    if (match !== undefined) {
      if (!match.methodAllowed) return refuseMethod(res, method, match.route.methods);
      try {
        await match.route.handle(req, res, match.params);
      } catch (error) {
        await answerError(req, res, error, {
          logger,
          requestId,
          renderPage: (oauthError) => options.sendErrorPage(res, oauthError, requestId),
        });
      }
      return;
    }

    const providerMethods = providerRouteMethods(effectivePath);
    if (providerMethods !== undefined) {
      if (!providerMethods.includes(method)) return refuseMethod(res, method, providerMethods);
      const declaredLength = declaredLengthOf(req);
      if (declaredLength !== undefined && declaredLength > PROVIDER_BODY_LIMIT_BYTES) {
        return refuseOversizedBody(req, res, PROVIDER_BODY_LIMIT_BYTES);
      }
      // A chunked body that grows past the limit gets oidc-provider's own 400, with the rest
      // unread: thrown away here, so that the client can read that answer too.
      res.once('finish', () => {
        if (!req.complete) void discardRequestBody(req);
      });
      await options.authorizationServer.handle(req, res);
      return;
    }

    sendJson(res, 404, {
      error: 'not_found',
      error_description: `nothing is served at ${sanitizeUrl(pathname)}`,
    });
  }

  /** The route template a span is named after: never the raw path, which may hold ids (low cardinality). */
  function routeTemplateOf(method: string, pathname: string): string | undefined {
    if (isMcpPath(pathname)) return pathname === mcpPath ? mcpPath : `${mcpPath}/*`;
    if (Object.hasOwn(FALLBACK_ALIASES, pathname) || KNOWN_METADATA_PATHS.has(pathname)) return pathname;
    if (pathname === options.protectedResourceMetadataPath) return pathname;
    return router.match(method, pathname)?.route.path ?? providerRouteTemplate(pathname);
  }

  function refuseMethod(res: ServerResponse, method: string, allowed: readonly string[]): void {
    sendOAuthError(res, new OAuthError('method_not_allowed', `${method} is not allowed here`), {
      allow: allowed.join(', '),
    });
  }

  const { traceRequest } = options;
  if (traceRequest === undefined) return handleRequest;
  return (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rawUrl = req.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const pathname = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
    const route = routeTemplateOf(req.method ?? 'GET', pathname);
    return traceRequest(req, res, route, () => handleRequest(req, res));
  };

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = performance.now();
    const requestId = requestIdOf(req);
    req.headers['x-request-id'] = requestId;
    res.setHeader('x-request-id', requestId);
    res.setHeader('x-content-type-options', 'nosniff');
    res.once('finish', () => {
      // The MCP endpoint writes its own line (with the grant); a second line for the same
      // request was a measurable share of the hot path (docs/benchmarks.md).
      if (proxiedResponses.has(res)) return;
      logger.info(
        {
          event: 'http.request',
          requestId,
          method: req.method,
          path: sanitizeUrl(req.url ?? '/'),
          status: res.statusCode,
          durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
        },
        'http.request',
      );
    });

    if (trustForwarded) {
      res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
      if (requestProtocolOf(req, true) !== 'https') {
        const method = req.method ?? 'GET';
        if (method === 'GET' || method === 'HEAD') {
          redirect(res, 302, `${options.baseUrl}${req.url ?? '/'}`);
        } else {
          sendOAuthError(res, new OAuthError('invalid_request', 'this server accepts only https requests'));
        }
        return;
      }
    }

    try {
      await route(req, res, requestId);
    } catch (error) {
      await answerError(req, res, error, { logger, requestId });
    }
  }
}
