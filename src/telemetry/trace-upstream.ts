import { context, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { UpstreamClient } from '../proxy/index.ts';
import {
  ERROR_TYPE,
  HTTP_REQUEST_METHOD,
  HTTP_REQUEST_RESEND_COUNT,
  HTTP_RESPONSE_STATUS_CODE,
  SERVER_ADDRESS,
  SERVER_PORT,
  URL_FULL,
} from './semantic-attributes.ts';
import { writeTraceContext } from './trace-context-headers.ts';

/**
 * Each attempt to reach the MCP server as a CLIENT span (HTTP semconv, "HTTP
 * Client"), named `{method} {path of MCP_SERVER_URL}`, and its `traceparent` in
 * the request headers, so that the MCP server's own spans join the trace as its
 * children. A replay after an upstream 401 is a second span with
 * `http.request.resend_count` 1. `url.full` has no query (MCP_SERVER_URL's query
 * may hold a key). The span ends when the response body has been relayed.
 */
export function traceUpstreamClient(
  client: UpstreamClient,
  tracer: Tracer,
  mcpServerUrl: URL,
): UpstreamClient {
  const template = mcpServerUrl.pathname;
  const origin = mcpServerUrl.origin;
  const port = Number(mcpServerUrl.port || (mcpServerUrl.protocol === 'https:' ? 443 : 80));
  const address = mcpServerUrl.hostname;
  return {
    async send(exchange, method, path, headers, body) {
      const parent = context.active();
      const queryStart = path.indexOf('?');
      const span = tracer.startSpan(
        `${method} ${template}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            [HTTP_REQUEST_METHOD]: method,
            [SERVER_ADDRESS]: address,
            [SERVER_PORT]: port,
            [URL_FULL]: origin + (queryStart === -1 ? path : path.slice(0, queryStart)),
          },
        },
        parent,
      );
      if (writeTraceContext(headers, span.spanContext())) span.setAttribute(HTTP_REQUEST_RESEND_COUNT, 1);
      let response;
      try {
        response = await client.send(exchange, method, path, headers, body);
      } catch (error) {
        span.setAttribute(ERROR_TYPE, (error as NodeJS.ErrnoException).code ?? (error as Error).name);
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        throw error;
      }
      const status = response.statusCode ?? 0;
      span.setAttribute(HTTP_RESPONSE_STATUS_CODE, status);
      // Client spans: every 4xx and 5xx is an error of the call (HTTP semconv, "Status").
      if (status >= 400) {
        span.setAttribute(ERROR_TYPE, String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      response.once('close', () => span.end());
      return response;
    },
    close: () => client.close(),
  };
}
