/**
 * Many long-lived SSE streams at once: each is a `tools/call` of `ticks` that
 * the MCP server answers as an SSE stream with one progress notification per
 * second, stamped with its send time. Delivery latency is the receive time
 * minus that stamp. The streams are opened spread over the first second, so
 * their notifications are spread too, as independent clients' would be.
 */
import { Agent, request } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { epochMs } from './epoch-ms.ts';
import { percentile } from './load-cell.ts';
import { sampleMemory } from './proc-stats.ts';

export interface SseRequest {
  /** The SSE endpoint, e.g. `http://127.0.0.1:N/mcp/sse`. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly streams: number;
  readonly holdSeconds: number;
  /** Spread the opening of the streams over this long. */
  readonly openOverMs: number;
}

export interface SseResult {
  readonly streams: number;
  /** Streams that delivered every notification and the final result. */
  readonly completed: number;
  readonly notifications: number;
  readonly expectedNotifications: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Highest VmRSS of the watched process while the streams were open. */
  readonly maxRssBytes: number | undefined;
}

const TICK_INTERVAL_MS = 1_000;

export async function holdSseStreams(
  options: SseRequest,
  watchedPid: number | undefined,
): Promise<SseResult> {
  const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const latenciesMs: number[] = [];
  const memory = watchedPid === undefined ? undefined : sampleMemory(watchedPid, 250);
  const outcomes: Promise<boolean>[] = [];
  for (let index = 0; index < options.streams; index += 1) {
    outcomes.push(openStream(options, index, agent, latenciesMs));
    if (index % 10 === 9) await delay((options.openOverMs * 10) / options.streams);
  }
  const completed = (await Promise.all(outcomes)).filter(Boolean).length;
  const maxRssBytes = memory?.stop();
  agent.destroy();
  latenciesMs.sort((a, b) => a - b);
  return {
    streams: options.streams,
    completed,
    notifications: latenciesMs.length,
    expectedNotifications: options.streams * options.holdSeconds,
    p50Ms: percentile(latenciesMs, 0.5),
    p99Ms: percentile(latenciesMs, 0.99),
    maxMs: latenciesMs.at(-1) ?? Number.NaN,
    maxRssBytes,
  };
}

/** Resolves true when the stream ended with the tool's result, false on any failure. */
function openStream(
  options: SseRequest,
  index: number,
  agent: Agent,
  latenciesMs: number[],
): Promise<boolean> {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: index + 1,
    method: 'tools/call',
    params: {
      name: 'ticks',
      arguments: { count: options.holdSeconds, intervalMs: TICK_INTERVAL_MS },
      _meta: { progressToken: index + 1 },
    },
  });
  return new Promise((resolve) => {
    const req = request(
      options.url,
      {
        method: 'POST',
        agent,
        headers: { ...options.headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        if (res.statusCode !== 200 || !(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
          res.resume();
          resolve(false);
          return;
        }
        let buffered = '';
        let finished = false;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          let end = buffered.indexOf('\n\n');
          while (end !== -1) {
            const event = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            if (readEvent(event, latenciesMs)) finished = true;
            end = buffered.indexOf('\n\n');
          }
        });
        res.once('end', () => resolve(finished));
        res.once('error', () => resolve(false));
      },
    );
    req.once('error', () => resolve(false));
    req.end(body);
  });
}

/** Records a progress notification's latency; true for the final result. */
function readEvent(event: string, latenciesMs: number[]): boolean {
  const receivedMs = epochMs();
  for (const line of event.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const message = JSON.parse(line.slice(5)) as {
      method?: string;
      params?: { message?: string };
      result?: unknown;
    };
    if (message.method === 'notifications/progress') {
      latenciesMs.push(receivedMs - Number(message.params?.message));
      return false;
    }
    return message.result !== undefined;
  }
  return false;
}
