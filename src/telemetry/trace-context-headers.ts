import type { IncomingHttpHeaders } from 'node:http';
import { defaultTextMapGetter, ROOT_CONTEXT, type Context, type SpanContext } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';
/** The header names the proxy writes itself when it traces: the client's copies are not forwarded. */
export const TRACE_CONTEXT_HEADERS: readonly string[] = [TRACEPARENT, TRACESTATE];

const propagator = new W3CTraceContextPropagator();

/**
 * The caller's trace context from `traceparent` and `tracestate` (W3C Trace
 * Context §3.2, §3.3, validated by the OpenTelemetry propagator: a malformed
 * header starts a new trace), or the root context when there is none.
 */
export function extractTraceContext(headers: IncomingHttpHeaders): Context {
  if (headers[TRACEPARENT] === undefined) return ROOT_CONTEXT;
  return propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

/**
 * Writes `traceparent` (version 00, W3C Trace Context §3.2) and the span's
 * `tracestate` into a flat [name, value, …] header list, replacing what an
 * earlier attempt of the same request wrote. Returns true when it replaced
 * one: the request is being sent again.
 */
export function writeTraceContext(headers: string[], span: SpanContext): boolean {
  const flags = span.traceFlags & 0xff;
  const traceparent = `00-${span.traceId}-${span.spanId}-${flags < 16 ? '0' : ''}${flags.toString(16)}`;
  const resent = setHeader(headers, TRACEPARENT, traceparent);
  const tracestate = span.traceState?.serialize();
  if (tracestate !== undefined && tracestate !== '') setHeader(headers, TRACESTATE, tracestate);
  return resent;
}

function setHeader(headers: string[], name: string, value: string): boolean {
  for (let index = 0; index < headers.length; index += 2) {
    if (headers[index] === name) {
      headers[index + 1] = value;
      return true;
    }
  }
  headers.push(name, value);
  return false;
}
