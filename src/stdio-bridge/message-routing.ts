import type { JSONRPCMessage, ProgressToken, RequestId } from '@modelcontextprotocol/sdk/types.js';

/**
 * Decides on which HTTP stream a message from the child reaches the client.
 *
 * A stdio server's messages carry no stream: over Streamable HTTP a response
 * goes back on the POST that carried its request (the SDK transport finds it
 * by id), and everything else must be "related" to an open request or go on
 * the client's GET stream (MCP transports, Streamable HTTP §"Sending Messages
 * to the Server" and §"Listening for Messages from the Server"). We relate:
 * - a progress notification to the request whose `_meta.progressToken` it
 *   names (MCP utilities/progress);
 * - any other notification or request (logging, sampling, elicitation,
 *   list_changed) to the newest client request still waiting for its answer:
 *   a server that asks or tells something mid-call is almost always doing so
 *   for that call, and a client handles these messages the same on any of its
 *   streams. With no request open it goes to the GET stream, when there is one.
 */
export interface MessageRouting {
  /** Notes a message from the client on its way to the child. */
  fromClient(message: JSONRPCMessage): void;
  /** The client request a message from the child relates to; undefined = its own id, or the GET stream. */
  relatedRequestFor(message: JSONRPCMessage): RequestId | undefined;
  /** Client requests the child has not answered yet. */
  unanswered(): RequestId[];
}

export function createMessageRouting(): MessageRouting {
  /** Client requests awaiting their response, oldest first, with their progress token. */
  const open = new Map<RequestId, ProgressToken | undefined>();
  const requestByProgressToken = new Map<ProgressToken, RequestId>();

  const settle = (id: RequestId): void => {
    const token = open.get(id);
    if (token !== undefined) requestByProgressToken.delete(token);
    open.delete(id);
  };

  return {
    fromClient(message) {
      if ('method' in message && 'id' in message) {
        const token = message.params?._meta?.progressToken;
        open.set(message.id, token);
        if (token !== undefined) requestByProgressToken.set(token, message.id);
      } else if ('method' in message && message.method === 'notifications/cancelled') {
        // MCP utilities/cancellation: the server will not answer a cancelled request.
        const cancelled = (message.params as { requestId?: RequestId } | undefined)?.requestId;
        if (cancelled !== undefined) settle(cancelled);
      }
    },

    relatedRequestFor(message) {
      if (!('method' in message)) {
        if (message.id !== undefined) settle(message.id);
        return undefined;
      }
      if (message.method === 'notifications/progress') {
        const token = (message.params as { progressToken?: ProgressToken } | undefined)?.progressToken;
        const request = token === undefined ? undefined : requestByProgressToken.get(token);
        if (request !== undefined) return request;
      }
      let newest: RequestId | undefined;
      for (const id of open.keys()) newest = id;
      return newest;
    },

    unanswered: () => [...open.keys()],
  };
}
