import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';

export interface UpstreamClientOptions {
  /** Concurrent connections to the MCP server. Long-lived SSE streams each hold one. */
  readonly maxSockets: number;
  /** Idle keep-alive connections kept for reuse. */
  readonly maxFreeSockets: number;
}

export const DEFAULT_UPSTREAM_MAX_SOCKETS = 1024;
export const DEFAULT_UPSTREAM_MAX_FREE_SOCKETS = 256;

/** The in-flight upstream request of one client request, so a client disconnect can abort it. */
export interface UpstreamExchange {
  request: ClientRequest | undefined;
  /** Set (with request.destroy()) when the client went away: nothing is retried after that. */
  aborted: boolean;
}

export interface UpstreamClient {
  /** Resolves with the response head; rejects when no response arrives (refused, reset, aborted). */
  send(
    exchange: UpstreamExchange,
    method: string,
    path: string,
    headers: string[],
    body: Buffer,
  ): Promise<IncomingMessage>;
  /** Aborts every in-flight request and closes pooled connections. */
  close(): void;
}

/**
 * Idle pooled connections are closed after this long. Setting it also makes
 * Node's agent honour the server's `Keep-Alive: timeout=N` hint (it then
 * closes idle sockets about a second before the server would), which avoids
 * reusing a connection the server is closing. It does not cut active
 * requests: an agent timeout only destroys free sockets.
 */
const IDLE_SOCKET_TIMEOUT_MS = 60_000;

/**
 * One pooled agent for the process (no per-request agent): keep-alive
 * connections are reused, LIFO so idle extras age out.
 */
export function createUpstreamClient(url: URL, options: UpstreamClientOptions): UpstreamClient {
  const isHttps = url.protocol === 'https:';
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets,
    maxFreeSockets: options.maxFreeSockets,
    scheduling: 'lifo' as const,
    timeout: IDLE_SOCKET_TIMEOUT_MS,
  };
  const agent = isHttps ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const request = isHttps ? https.request : http.request;
  // URL keeps IPv6 literals bracketed; the socket API wants them bare.
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === '' ? (isHttps ? 443 : 80) : Number(url.port);
  const inFlight = new Set<ClientRequest>();

  return {
    send(exchange, method, path, headers, body) {
      return new Promise((resolve, reject) => {
        const attempt = (mayRetry: boolean): void => {
          const upstreamRequest = request({ agent, hostname, port, method, path, headers });
          exchange.request = upstreamRequest;
          inFlight.add(upstreamRequest);
          let responded = false;
          upstreamRequest.on('response', (response) => {
            responded = true;
            resolve(response);
          });
          upstreamRequest.on('error', (error) => {
            inFlight.delete(upstreamRequest);
            if (responded) return;
            // A pooled connection the server closed while idle fails on first
            // use. Nothing reached the MCP server, so sending the (buffered)
            // request again on a fresh connection is safe (Node docs, request.reusedSocket).
            if (mayRetry && upstreamRequest.reusedSocket && isConnectionReset(error) && !exchange.aborted) {
              attempt(false);
              return;
            }
            reject(error);
          });
          upstreamRequest.on('close', () => inFlight.delete(upstreamRequest));
          upstreamRequest.end(body.length === 0 ? undefined : body);
        };
        attempt(true);
      });
    },

    close() {
      for (const upstreamRequest of inFlight) upstreamRequest.destroy();
      inFlight.clear();
      agent.destroy();
    },
  };
}

function isConnectionReset(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}
