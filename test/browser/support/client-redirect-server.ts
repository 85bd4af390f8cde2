import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The MCP client's side of the redirect (RFC 8252 §7.3 loopback redirect URI):
 * a tiny local server that records what reached it and answers with a plain
 * page, as a desktop client's callback listener does.
 */
export interface ClientRedirectServer {
  /** `http://127.0.0.1:<port>/callback` */
  readonly redirectUri: string;
  readonly origin: string;
  /** Every callback URL received, in order. */
  readonly received: URL[];
  close(): Promise<void>;
}

export async function startClientRedirectServer(): Promise<ClientRedirectServer> {
  const received: URL[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname !== '/callback') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    received.push(url);
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      .end('<!doctype html><html lang="en"><title>Client</title><p>Back at the client.</p></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    redirectUri: `${origin}/callback`,
    origin,
    received,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
