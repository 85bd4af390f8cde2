import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import { ERROR_TYPE } from './semantic-attributes.ts';

export type SpanRole = 'internal' | 'client';

/**
 * Runs `run` as the active span `name`, a child of the current one. A failure
 * marks the span with ERROR and `error.type` (the error's class, or its OAuth
 * code); neither its message nor its stack is recorded, since errors from the
 * identity provider may quote what they were sent.
 */
export function inSpan<T>(
  tracer: Tracer,
  name: string,
  role: SpanRole,
  attributes: Attributes,
  run: () => Promise<T>,
): Promise<T> {
  const parent = context.active();
  const span = tracer.startSpan(
    name,
    { kind: role === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL, attributes },
    parent,
  );
  return context.with(trace.setSpan(parent, span), run).then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      span.setAttribute(ERROR_TYPE, errorType(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      throw error;
    },
  );
}

function errorType(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'error';
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && /^[\w.-]{1,64}$/.test(code)) return code;
  return typeof name === 'string' ? name : 'error';
}
