import type { IncomingHttpHeaders } from 'node:http';
import type { UpstreamClient } from './upstream-client.ts';

/**
 * What the HTTP proxy needs beyond the admission pipeline's ports
 * (src/admission/ports.ts), stated by the proxy (style.md rule 9).
 */

/**
 * Tracing of the MCP exchange (src/telemetry). Absent = not traced: no body is
 * read for it, and a client's `traceparent` reaches the MCP server untouched.
 */
export interface ProxyTracing {
  /** Headers the tracing writes upstream itself (`traceparent`, `tracestate`): the client's copies are dropped. */
  readonly ownHeaders: readonly string[];
  /** One CLIENT span per upstream attempt; each attempt carries its span's `traceparent` to the MCP server. */
  traceUpstream(client: UpstreamClient): UpstreamClient;
  /** Names the MCP operation on the request's span, when that span records (the body is never parsed otherwise). */
  describeRequest(body: Buffer, headers: IncomingHttpHeaders): void;
}
