/**
 * An https server of the test's own that hosts client ID metadata documents,
 * as claude.ai hosts Claude's. Its certificate is self-signed, made with the
 * openssl CLI at test time, and trusted by adding it to this process's
 * default CA list (`tls.setDefaultCACertificates`): the in-process proxy's
 * fetches then trust it the way a production proxy trusts a public CA, and no
 * test-only option exists in the product. `node --test` runs each file in its
 * own process, so the trust ends with the file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';

export interface HostedResponse {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON value (serialised) or raw text. */
  readonly body?: unknown;
  /** Never answer (the fetch must time out). */
  readonly hang?: boolean;
}

export interface MetadataDocumentHost {
  /** e.g. https://localhost:40123 */
  readonly origin: string;
  /** The absolute URL of `path` on this host. */
  url(path: string): string;
  /** Serves `response` at `path` from now on. */
  serve(path: string, response: HostedResponse): void;
  /** Serves a JSON document whose client_id is its own URL (plus `metadata`); returns that URL. */
  serveDocument(path: string, metadata: Record<string, unknown>, headers?: Record<string, string>): string;
  /** How many requests reached `path`. */
  hits(path: string): number;
  close(): Promise<void>;
}

/**
 * A name that looks public (a dotted name under the reserved `.test` TLD, RFC 6761) and that the
 * certificate also covers: tests make it resolve to loopback to play a DNS answer that points inside.
 */
export const PUBLIC_LOOKING_NAME = 'cimd.example.test';

/** Starts the host on 127.0.0.1 (port 0), named `localhost` in URLs (the certificate covers both). */
export async function startMetadataDocumentHost(): Promise<MetadataDocumentHost> {
  const dir = await mkdtemp(join(tmpdir(), 'cimd-host-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      `subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:${PUBLIC_LOOKING_NAME}`,
    ],
    { stdio: 'ignore' },
  );
  const key = await readFile(keyPath, 'utf8');
  const cert = await readFile(certPath, 'utf8');
  await rm(dir, { recursive: true, force: true });
  setDefaultCACertificates([...getCACertificates('default'), cert]);

  const responses = new Map<string, HostedResponse>();
  const counts = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer({ key, cert }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://localhost').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const response = responses.get(path);
    if (response === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      return;
    }
    if (response.hang === true) {
      hanging.add(res);
      return;
    }
    const body =
      response.body === undefined
        ? ''
        : typeof response.body === 'string'
          ? response.body
          : JSON.stringify(response.body);
    res.writeHead(response.status ?? 200, { 'content-type': 'application/json', ...response.headers });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `https://localhost:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    url: (path) => origin + path,
    serve(path, response) {
      responses.set(path, response);
    },
    serveDocument(path, metadata, headers = {}) {
      const url = origin + path;
      responses.set(path, { body: { client_id: url, ...metadata }, headers });
      return url;
    },
    hits: (path) => counts.get(path) ?? 0,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
