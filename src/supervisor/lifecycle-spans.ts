import { basename } from 'node:path';
import { SpanStatusCode, type Attributes, type Tracer } from '@opentelemetry/api';

export type LifecycleSpanName = 'mcp_server.start' | 'mcp_server.restart' | 'mcp_server.stop';
export type LifecycleEventName = 'mcp_server.spawned' | 'mcp_server.ready' | 'mcp_server.exited';

/** One supervisor operation as a span; its steps are span events. */
export interface LifecycleSpan {
  event(name: LifecycleEventName, attributes?: Attributes): void;
  /** Ends the span, as failed when `failure` names why (the McpServerStartError reason). */
  end(failure?: string): void;
}

const UNTRACED: LifecycleSpan = { event: () => undefined, end: () => undefined };

/**
 * The supervisor's work as short root spans of their own (it belongs to no
 * request): `mcp_server.start` (spawn to ready), `mcp_server.restart` (from the
 * unexpected exit through the backoff to ready again) and `mcp_server.stop`,
 * with the child's lifecycle as events: spawned (`process.pid`), ready, exited
 * (`process.exit.code`, signal). Neither the arguments nor the environment of
 * the command are recorded (they may hold credentials), only its file name.
 */
export function lifecycleSpans(
  tracer: Tracer | undefined,
  command: string,
): (name: LifecycleSpanName) => LifecycleSpan {
  if (tracer === undefined) return () => UNTRACED;
  const executable = basename(command);
  return (name) => {
    const span = tracer.startSpan(name, {
      root: true,
      attributes: { 'process.executable.name': executable },
    });
    return {
      event: (eventName, attributes) => span.addEvent(eventName, attributes),
      end: (failure) => {
        if (failure !== undefined) {
          span.setAttribute('error.type', failure);
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      },
    };
  };
}

/** The attributes of an `mcp_server.exited` event. */
export function exitAttributes(exit: { code: number | null; signal: string | null }): Attributes {
  return {
    ...(exit.code === null ? {} : { 'process.exit.code': exit.code }),
    ...(exit.signal === null ? {} : { 'mcp_auth_proxy.process.signal': exit.signal }),
  };
}
