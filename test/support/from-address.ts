import { request } from 'node:http';

export interface AddressedAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export interface AddressedRequest {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/**
 * One HTTP request sent from a chosen loopback address (the whole 127.0.0.0/8
 * block is local on Linux), so that a test can play several clients that a
 * per-address limit must tell apart.
 */
export function requestFrom(
  localAddress: string,
  url: string,
  init: AddressedRequest = {},
): Promise<AddressedAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const headers = { ...init.headers };
    if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
    const req = request(
      {
        host: '127.0.0.1',
        port: target.port,
        path: target.pathname + target.search,
        method: init.method ?? 'GET',
        headers: { host: target.host, ...headers },
        localAddress,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}
