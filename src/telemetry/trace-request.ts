import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import type { TraceRequest } from '../http/create-request-handler.ts';
import { requestProtocolOf } from '../http-kit/request-context.ts';
import {
  ERROR_TYPE,
  HTTP_REQUEST_METHOD,
  HTTP_REQUEST_METHOD_ORIGINAL,
  HTTP_RESPONSE_STATUS_CODE,
  HTTP_ROUTE,
  URL_PATH,
  URL_SCHEME,
} from './semantic-attributes.ts';
import { extractTraceContext } from './trace-context-headers.ts';

/** The methods HTTP semantic conventions name as such; any other is reported as `_OTHER`. */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
  'QUERY',
]);

/**
 * The path as recorded: without its query (codes, state), and as the route
 * template when the route has parameters, because those are identifiers that
 * act as credentials (the interaction uid is also the `state` sent to the
 * identity provider). A path that matched no route is not recorded at all:
 * it is whatever a client sent.
 */
function urlPathOf(rawUrl: string, route: string): string {
  if (route.includes('/:')) return route;
  const queryStart = rawUrl.indexOf('?');
  return queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
}

/**
 * The inbound request as a SERVER span (OpenTelemetry HTTP semantic conventions,
 * "HTTP Server"), a child of the caller's `traceparent` when it sent one, made
 * the active span for everything the request does. Named `{method} {route}`
 * from the route template, never the raw path (see urlPathOf for `url.path`).
 * Ends when the response closes.
 */
export function createRequestTracer(tracer: Tracer, options: { trustForwarded: boolean }): TraceRequest {
  return (req, res, route, handle) => {
    const rawMethod = req.method ?? 'GET';
    const known = KNOWN_METHODS.has(rawMethod);
    const method = known ? rawMethod : '_OTHER';
    const attributes: Attributes = {
      [HTTP_REQUEST_METHOD]: method,
      [URL_SCHEME]: requestProtocolOf(req, options.trustForwarded),
    };
    if (!known) attributes[HTTP_REQUEST_METHOD_ORIGINAL] = rawMethod;
    if (route !== undefined) {
      attributes[HTTP_ROUTE] = route;
      attributes[URL_PATH] = urlPathOf(req.url ?? '/', route);
    }
    const parent = extractTraceContext(req.headers);
    const name = `${known ? method : 'HTTP'}${route === undefined ? '' : ` ${route}`}`;
    const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
    res.once('close', () => {
      if (res.headersSent) {
        span.setAttribute(HTTP_RESPONSE_STATUS_CODE, res.statusCode);
        // Server spans: only 5xx are errors; a 4xx is the client's (HTTP semconv, "Status").
        if (res.statusCode >= 500) {
          span.setAttribute(ERROR_TYPE, String(res.statusCode));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
      }
      span.end();
    });
    return context.with(trace.setSpan(parent, span), handle);
  };
}
