import type { EventId, EventStore, StreamId } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** Enough for a resumption seconds after a cut, small enough for a soak of hundreds of thousands of calls. */
const DEFAULT_CAPACITY_EVENTS = 20_000;

interface StoredEvent {
  readonly id: EventId;
  readonly streamId: StreamId;
  readonly message: JSONRPCMessage;
}

/**
 * The MCP SDK's EventStore in memory, bounded: the oldest events are forgotten
 * first. With it the SDK server numbers every SSE event and answers a GET with
 * `Last-Event-ID` by replaying the rest of that stream (MCP transports,
 * "Resumability and Redelivery"), whichever proxy instance the GET arrives at.
 */
export class BoundedEventStore implements EventStore {
  readonly #capacity: number;
  readonly #events = new Map<EventId, StoredEvent>();
  #sequence = 0;

  constructor(capacityEvents = DEFAULT_CAPACITY_EVENTS) {
    this.#capacity = capacityEvents;
  }

  storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    this.#sequence += 1;
    const id = `${streamId}_${this.#sequence}`;
    this.#events.set(id, { id, streamId, message });
    if (this.#events.size > this.#capacity) {
      const oldest = this.#events.keys().next().value;
      if (oldest !== undefined) this.#events.delete(oldest);
    }
    return Promise.resolve(id);
  }

  getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return Promise.resolve(this.#events.get(eventId)?.streamId);
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const last = this.#events.get(lastEventId);
    if (last === undefined) return '';
    let after = false;
    // A Map iterates in insertion order: the stream's events in the order they were sent.
    for (const event of [...this.#events.values()]) {
      if (event.id === lastEventId) after = true;
      else if (after && event.streamId === last.streamId) await send(event.id, event.message);
    }
    return last.streamId;
  }
}
