import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StandaloneStreams } from '../http-kit/standalone-streams.ts';
import { createSseListFilter, filterListBody, type ListAnswers, type UserAccess } from '../policy/index.ts';
import { buildClientResponseHeaders } from './client-response-headers.ts';
import { relayResponse, withoutContentLength, type RelayEnd } from './relay-response.ts';

/**
 * The largest `application/json` list answer read whole to be filtered; a
 * bigger one is refused (502) rather than relayed unfiltered. An SSE answer is
 * filtered as it streams and has no such bound.
 */
export const MAX_LIST_ANSWER_BYTES = 16 * 1024 * 1024;

/** What the access rules let this user see, and which answers of the exchange to filter. */
export interface ListFilter {
  readonly access: UserAccess;
  readonly answers: ListAnswers;
}

/** `unfilterable`: the answer could not be read to be filtered; the caller answers 502 (fail closed). */
export type ListRelayEnd = RelayEnd | { readonly unfilterable: 'encoded' | 'too_large' };

/**
 * Relays the answer to a request that carried list requests the user is
 * restricted on (or a resumed stream): an SSE answer through the streaming
 * list filter, a JSON answer read whole and filtered, anything else (an error,
 * a 202) untouched. The upstream request carried no Accept-Encoding; an answer
 * compressed anyway is not relayed, since it cannot be filtered.
 */
export async function relayListAnswers(
  upstream: IncomingMessage,
  res: ServerResponse,
  filter: ListFilter,
  standaloneStreams?: StandaloneStreams,
): Promise<ListRelayEnd> {
  const encoding = upstream.headers['content-encoding']?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    upstream.resume();
    return { unfilterable: 'encoded' };
  }
  const type = upstream.headers['content-type']?.toLowerCase() ?? '';
  if (type.startsWith('text/event-stream')) {
    return await relayResponse(
      upstream,
      res,
      standaloneStreams,
      createSseListFilter(filter.access, filter.answers),
    );
  }
  if (upstream.statusCode !== 200 || !type.startsWith('application/json')) {
    return await relayResponse(upstream, res, standaloneStreams);
  }
  const body = await readBounded(upstream, res);
  if (body === 'too_large') return { unfilterable: 'too_large' };
  if (body === 'client_gone' || body === 'upstream_broke') {
    res.destroy();
    return body;
  }
  const filtered = filterListBody(body, filter.access, filter.answers);
  const headers = withoutContentLength(buildClientResponseHeaders(upstream.rawHeaders).headers);
  headers.push('content-length', String(filtered.length));
  res.writeHead(200, headers);
  res.end(filtered);
  return 'complete';
}

type BoundedRead = Buffer | 'too_large' | 'client_gone' | 'upstream_broke';

/** The whole body up to MAX_LIST_ANSWER_BYTES, unless either side goes away first. */
function readBounded(upstream: IncomingMessage, res: ServerResponse): Promise<BoundedRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BoundedRead): void => {
      if (done) return;
      done = true;
      res.off('close', onClientGone);
      resolve(result);
    };
    const onClientGone = (): void => {
      upstream.destroy();
      finish('client_gone');
    };
    res.once('close', onClientGone);
    upstream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_LIST_ANSWER_BYTES) return void chunks.push(chunk);
      finish('too_large');
      upstream.destroy();
    });
    upstream.on('error', () => undefined);
    upstream.once('close', () => finish(upstream.complete ? Buffer.concat(chunks) : 'upstream_broke'));
  });
}
