/**
 * The open standalone SSE streams: the GET streams on which an MCP server may
 * send at any time (MCP transports, Streamable HTTP §"Listening for Messages
 * from the Server"). They never end by themselves, so a shutdown that waited
 * for them would always wait out its whole grace. They are safe to end
 * instead: clients open them again, resuming with Last-Event-ID (§"Resumability
 * and Redelivery"). Requests in flight, streamed answers to a POST included,
 * are not tracked here and keep their grace.
 */
export interface StandaloneStreams {
  /**
   * Registers a stream by the function that ends it cleanly; returns the function
   * that forgets it (for when the stream closes). During shutdown, ends it at once.
   */
  open(end: () => void): () => void;
  /** Ends every open stream, and from now on every stream as it opens. */
  endAll(): void;
  /** True once endAll was called: a new stream would be ended at once, so refuse it instead. */
  readonly ending: boolean;
}

/** Told of each stream that opens and closes (observability's Observe fits; metrics count them). */
export type StreamEvents = (event: { readonly type: 'mcp.stream_opened' | 'mcp.stream_closed' }) => void;

const NOTHING_TO_FORGET = (): void => undefined;
const IGNORE_STREAM_EVENTS: StreamEvents = () => undefined;

/** One Set add and delete per GET stream; nothing for any other request. */
export function createStandaloneStreams(observe: StreamEvents = IGNORE_STREAM_EVENTS): StandaloneStreams {
  const open = new Set<() => void>();
  let ending = false;
  return {
    open(end) {
      if (ending) {
        end();
        return NOTHING_TO_FORGET;
      }
      open.add(end);
      observe({ type: 'mcp.stream_opened' });
      return () => {
        if (open.delete(end)) observe({ type: 'mcp.stream_closed' });
      };
    },
    endAll() {
      ending = true;
      const ends = [...open];
      open.clear();
      for (const end of ends) {
        end();
        observe({ type: 'mcp.stream_closed' });
      }
    },
    get ending() {
      return ending;
    },
  };
}
