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
import { createRequestContext, requestProtocolOf, type RequestContext } from '../http-kit/request-context.ts';
import { createMcpMounts, type McpMount } from './mcp-mounts.ts';
import { redirect, sendJson, sendOAuthError } from '../http-kit/respond.ts';
import type { Route } from '../http-kit/router.ts';
import type { AddressRateLimit } from './address-rate-limit.ts';
import { ignoreEvents, type Observe } from '../observability/index.ts';
import { writeRateLimitHeaders } from '../http-kit/rate-limiter.ts';
import { Router } from '../http-kit/router.ts';
import { systemClock, type Clock } from '../shared/clock.ts';

/** Endpoints that browser-based clients call cross-origin. */
const CORS_PATHS = /^\/(token(\/revocation)?|device\/auth|reg|register|jwks|me|\.well-known\/.*)$/;
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

/** An MCP server's endpoint: it answers and logs its requests itself (proxy.request, stdio_bridge.request). */
export interface McpEndpointHandler {
  handle(req: IncomingMessage, res: ServerResponse, context: RequestContext): Promise<void>;
}

export interface RequestHandlerOptions {
  /** BASE_URL: plain-http GETs are redirected here, never to a client-supplied Host. */
  baseUrl: string;
  localInsecure: boolean;
  /** MCP_AUTH_PROXY_ALLOWED_ORIGINS: browser origins allowed on the MCP endpoint besides BASE_URL's. */
  allowedOrigins?: readonly string[] | undefined;
  /** RFC 9728 metadata of each MCP server, by the well-known path it is served at. */
  protectedResourceMetadata: ReadonlyMap<string, ProtectedResourceMetadata>;
  authorizationServer: MountedHandler;
  routes: readonly Route[];
  /** Each MCP server's endpoint at its mount path (`config.servers[].path`). */
  mcpEndpoints: readonly McpMount<McpEndpointHandler>[];
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
  /** When each request arrived (its context's start time); default the system clock. */
  clock?: Clock | undefined;
  logger: Logger;
}

/**
 * The route table in front of everything: the request's context (request id,
 * path, start time, decided once), access log, HTTPS guard, CORS, metadata,
 * rate limits, then an MCP server's endpoint, our interaction routes, or
 * oidc-provider. The MCP mounts are matched first and do no other work,
 * because they are the hot path.
 */
export function createRequestHandler(options: RequestHandlerOptions) {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const mcpMounts = createMcpMounts(options.mcpEndpoints);
  const observe = options.observe ?? ignoreEvents;
  const trustForwarded = !options.localInsecure;
  const router = new Router();
  for (const route of options.routes) router.add(route);
  const metadataBodies = new Map(
    [...options.protectedResourceMetadata].map(([path, metadata]) => [path, JSON.stringify(metadata)]),
  );
  const refuseMcpOrigin = createMcpRequestOriginCheck({
    baseUrl: options.baseUrl,
    allowedOrigins: options.allowedOrigins ?? [],
    localInsecure: options.localInsecure,
  });

  /** An MCP server's endpoint: Origin check (DNS rebinding), CORS, then the endpoint, which logs itself. */
  async function serveMcp(
    req: IncomingMessage,
    res: ServerResponse,
    context: RequestContext,
    endpoint: McpEndpointHandler,
  ): Promise<void> {
    const refusal = refuseMcpOrigin(req.headers);
    if (refusal !== undefined) {
      logWhenFinished(req, res, context);
      const { origin, host } = req.headers;
      observe({ type: 'origin.refused', origin, host, request: req });
      return sendOAuthError(res, refusal);
    }
    if (req.method === 'OPTIONS') {
      logWhenFinished(req, res, context);
      return answerPreflight(req, res, 'GET, POST, DELETE, OPTIONS');
    }
    applyCors(res);
    await endpoint.handle(req, res, context);
  }

  async function route(
    incoming: IncomingMessage,
    res: ServerResponse,
    context: RequestContext,
  ): Promise<void> {
    const { pathname, requestId } = context;
    const method = incoming.method ?? 'GET';

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

    const metadataBody = metadataBodies.get(pathname);
    if (metadataBody !== undefined) {
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
    if (alias !== undefined) req.url = alias + context.search;
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
  function routeTemplateOf(
    method: string,
    pathname: string,
    mcp: McpMount<unknown> | undefined,
  ): string | undefined {
    if (mcp !== undefined) return pathname === mcp.path ? mcp.path : `${mcp.path}/*`;
    if (Object.hasOwn(FALLBACK_ALIASES, pathname) || KNOWN_METADATA_PATHS.has(pathname)) return pathname;
    if (metadataBodies.has(pathname)) return pathname;
    return router.match(method, pathname)?.route.path ?? providerRouteTemplate(pathname);
  }

  function refuseMethod(res: ServerResponse, method: string, allowed: readonly string[]): void {
    sendOAuthError(res, new OAuthError('method_not_allowed', `${method} is not allowed here`), {
      allow: allowed.join(', '),
    });
  }

  /** The access log line, for every response the MCP endpoints do not log themselves. */
  function logWhenFinished(req: IncomingMessage, res: ServerResponse, context: RequestContext): void {
    res.once('finish', () => {
      logger.info(
        {
          event: 'http.request',
          requestId: context.requestId,
          method: req.method,
          path: sanitizeUrl(req.url ?? '/'),
          status: res.statusCode,
          durationMs: clock.nowMs() - context.startedMs,
        },
        'http.request',
      );
    });
  }

  /** Plain http behind the router: GET and HEAD are sent to BASE_URL, anything else is refused. */
  function refusePlainHttp(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    if (method === 'GET' || method === 'HEAD') {
      redirect(res, 302, `${options.baseUrl}${req.url ?? '/'}`);
    } else {
      sendOAuthError(res, new OAuthError('invalid_request', 'this server accepts only https requests'));
    }
  }

  async function handleRequest(
    req: IncomingMessage,
    res: ServerResponse,
    context: RequestContext,
    mcp: McpMount<McpEndpointHandler> | undefined,
  ): Promise<void> {
    res.setHeader('x-request-id', context.requestId);
    res.setHeader('x-content-type-options', 'nosniff');
    // The MCP endpoints write their own line (with the grant); a second line for the same
    // request was a measurable share of the hot path (docs/benchmarks.md).
    if (mcp === undefined) logWhenFinished(req, res, context);
    if (trustForwarded) {
      res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
      if (requestProtocolOf(req, true) !== 'https') {
        if (mcp !== undefined) logWhenFinished(req, res, context);
        return refusePlainHttp(req, res);
      }
    }
    try {
      if (mcp !== undefined) await serveMcp(req, res, context, mcp.endpoint);
      else await route(req, res, context);
    } catch (error) {
      await answerError(req, res, error, { logger, requestId: context.requestId });
    }
  }

  const { traceRequest } = options;
  return (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const context = createRequestContext(req, clock);
    const mcp = mcpMounts.match(context.pathname);
    if (traceRequest === undefined) return handleRequest(req, res, context, mcp);
    const route = routeTemplateOf(req.method ?? 'GET', context.pathname, mcp);
    return traceRequest(req, res, route, () => handleRequest(req, res, context, mcp));
  };
}
