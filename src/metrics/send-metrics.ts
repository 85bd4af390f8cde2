import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a scrape answers: the text and its content type (the Prometheus text format, version 0.0.4). */
export interface Exposition {
  readonly contentType: string;
  text(): Promise<string>;
}

/** Writes the metrics; HEAD gets the headers alone. */
export async function sendMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  exposition: Exposition,
): Promise<void> {
  const body = await exposition.text();
  res.writeHead(200, {
    'content-type': exposition.contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
