/**
 * Tool calls through the proxy with a given access token per request, at a
 * fixed concurrency, each timed from send to the last byte: the load of the
 * scale benchmark, where which token a request carries matters (a first use
 * of a token is a cold check). node:http with a keep-alive agent, so the load
 * generator itself adds as little as it can.
 */
import { Agent, request } from 'node:http';
import { mcpHeaders, PAYLOAD_BODIES } from './payloads.ts';

export interface CallsResult {
  /** Milliseconds per request, in the order they finished. */
  readonly latenciesMs: number[];
  /** Responses that were not 200. */
  readonly failures: number;
  readonly wallMs: number;
}

/** Sends one echo `tools/call` per token in `tokens`, `concurrency` at a time. */
export async function callTools(
  url: string,
  tokens: readonly string[],
  concurrency: number,
): Promise<CallsResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latenciesMs: number[] = [];
  let failures = 0;
  let next = 0;
  const startedMs = performance.now();
  const worker = async () => {
    for (let index = next++; index < tokens.length; index = next++) {
      const sentMs = performance.now();
      const status = await post(url, agent, tokens[index] ?? '');
      latenciesMs.push(performance.now() - sentMs);
      if (status !== 200) failures += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tokens.length) }, worker));
  agent.destroy();
  return { latenciesMs, failures, wallMs: performance.now() - startedMs };
}

function post(url: string, agent: Agent, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = PAYLOAD_BODIES.echo;
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...mcpHeaders(token), 'content-length': String(body.length) } },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

export interface Percentiles {
  readonly count: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Nearest-rank percentiles. */
export function percentiles(samplesMs: readonly number[]): Percentiles {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (fraction: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? NaN;
  return {
    count: sorted.length,
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    p99Ms: at(0.99),
    maxMs: sorted.at(-1) ?? NaN,
  };
}
