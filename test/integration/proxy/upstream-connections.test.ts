import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createUpstreamClient, type UpstreamExchange } from '../../../src/proxy/upstream-client.ts';

const HEADERS = (host: string): string[] => ['host', host, 'content-length', '2'];
const newExchange = (): UpstreamExchange => ({ request: undefined, aborted: false });
const bodyOf = async (response: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

describe('upstream connections', () => {
  it('reuses one pooled keep-alive connection for sequential requests', async () => {
    const server = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    let connections = 0;
    server.on('connection', () => (connections += 1));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const client = createUpstreamClient(new URL(`http://127.0.0.1:${port}/mcp`), {
      maxSockets: 8,
      maxFreeSockets: 8,
    });
    try {
      for (let index = 0; index < 5; index += 1) {
        const response = await client.send(
          newExchange(),
          'POST',
          '/mcp',
          HEADERS(`127.0.0.1:${port}`),
          Buffer.from('{}'),
        );
        assert.equal(await bodyOf(response), 'ok');
      }
      assert.equal(connections, 1);
    } finally {
      client.close();
      server.closeAllConnections();
      server.close();
    }
  });

  /**
   * A bare TCP server: the first connection answers one request with
   * keep-alive and then drops the connection as soon as the second request
   * arrives on it, exactly like a server closing an idle socket at the moment
   * the client reuses it. Later connections answer normally.
   */
  async function startDroppingServer() {
    const sockets: Socket[] = [];
    const state = { connections: 0 };
    const server = createTcpServer((socket) => {
      sockets.push(socket);
      state.connections += 1;
      const connection = state.connections;
      let requests = 0;
      socket.on('data', () => {
        requests += 1;
        if (connection === 1 && requests === 2) {
          socket.destroy();
          return;
        }
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok');
      });
      socket.on('error', () => undefined);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const client = createUpstreamClient(new URL(`http://127.0.0.1:${port}/`), {
      maxSockets: 1,
      maxFreeSockets: 1,
    });
    const first = await client.send(
      newExchange(),
      'POST',
      '/',
      HEADERS(`127.0.0.1:${port}`),
      Buffer.from('{}'),
    );
    assert.equal(await bodyOf(first), 'ok');
    return {
      state,
      client,
      send: (exchange: UpstreamExchange) =>
        client.send(exchange, 'POST', '/', HEADERS(`127.0.0.1:${port}`), Buffer.from('{}')),
      close() {
        client.close();
        for (const socket of sockets) socket.destroy();
        server.close();
      },
    };
  }

  it('resends once on a fresh connection when a pooled one turns out closed', async () => {
    const upstream = await startDroppingServer();
    try {
      const exchange = newExchange();
      assert.equal(await bodyOf(await upstream.send(exchange)), 'ok');
      assert.equal(upstream.state.connections, 2);
      assert.equal(exchange.request?.reusedSocket, false);
    } finally {
      upstream.close();
    }
  });

  it('does not resend when the client has gone away meanwhile', async () => {
    const upstream = await startDroppingServer();
    try {
      const exchange = newExchange();
      const pending = upstream.send(exchange);
      exchange.aborted = true;
      await assert.rejects(pending);
      assert.equal(upstream.state.connections, 1);
    } finally {
      upstream.close();
    }
  });
});
