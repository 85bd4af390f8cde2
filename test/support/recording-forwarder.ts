/**
 * A pass-through HTTP forwarder that records every exchange, for tests that
 * need to know secrets only the proxy sees (the IdP's tokens, in the IdP's
 * token responses). Put it in front of the fake IdP's token endpoint through an
 * IDENTITY_SERVER_METADATA_FILE whose `token_endpoint` points here.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FakeIdp } from './fake-idp.ts';

export interface RecordedExchange {
  readonly method: string;
  readonly path: string;
  readonly requestBody: string;
  readonly status: number;
  readonly responseBody: string;
}

export interface RecordingForwarder {
  readonly url: string;
  readonly exchanges: RecordedExchange[];
  close(): Promise<void>;
}

async function readAll(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Forwards every request to `targetUrl` (same path and query) and records it. */
export async function startRecordingForwarder(targetUrl: string): Promise<RecordingForwarder> {
  const exchanges: RecordedExchange[] = [];
  const server = createServer((request, res) => {
    void (async () => {
      const body = await readAll(request);
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name))
          headers.set(name, value);
      }
      const method = request.method ?? 'GET';
      const upstream = await fetch(new URL(request.url ?? '/', targetUrl), {
        method,
        headers,
        ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
        redirect: 'manual',
      });
      const responseBody = await upstream.text();
      exchanges.push({
        method,
        path: request.url ?? '/',
        requestBody: body.toString('utf8'),
        status: upstream.status,
        responseBody,
      });
      const responseHeaders: Record<string, string> = {};
      upstream.headers.forEach((value, name) => {
        if (name !== 'content-length' && name !== 'content-encoding' && name !== 'transfer-encoding') {
          responseHeaders[name] = value;
        }
      });
      res.writeHead(upstream.status, responseHeaders);
      res.end(responseBody);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exchanges,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Writes the IdP's metadata with its token endpoint moved to the forwarder, so
 * every code exchange and refresh goes through it; returns the file's path.
 */
export async function writeMetadataThroughForwarder(
  idp: FakeIdp,
  forwarder: RecordingForwarder,
  dir: string,
): Promise<string> {
  const path = join(dir, 'idp-metadata-through-forwarder.json');
  await writeFile(
    path,
    JSON.stringify({ ...idp.metadata(), token_endpoint: `${forwarder.url}/token` }, null, 2),
  );
  return path;
}

/** Every token string the IdP issued in the recorded token responses. */
export function issuedIdpTokens(forwarder: RecordingForwarder): {
  accessTokens: string[];
  refreshTokens: string[];
  idTokens: string[];
} {
  const result = { accessTokens: [] as string[], refreshTokens: [] as string[], idTokens: [] as string[] };
  for (const exchange of forwarder.exchanges) {
    if (!exchange.path.startsWith('/token') || exchange.status !== 200) continue;
    const body = JSON.parse(exchange.responseBody) as Record<string, unknown>;
    if (typeof body['access_token'] === 'string') result.accessTokens.push(body['access_token']);
    if (typeof body['refresh_token'] === 'string') result.refreshTokens.push(body['refresh_token']);
    if (typeof body['id_token'] === 'string') result.idTokens.push(body['id_token']);
  }
  return result;
}
