import type { ServerResponse } from 'node:http';

/** Sends an HTML page with the page security headers (no-store, strict CSP, no framing). */
export function sendPage(
  res: ServerResponse,
  status: number,
  html: string,
  pageHeaders: Readonly<Record<string, string>>,
): void {
  res.writeHead(status, { ...pageHeaders, 'content-length': Buffer.byteLength(html) });
  res.end(html);
}
