/**
 * The consent cookie outside local mode (security best practices §2.1.5.2
 * "Consent Cookie Security"): `__Host-` prefix, Secure, HttpOnly,
 * SameSite=Lax, signed, and bound to client ids. The end-to-end suites run in
 * local mode over http, where the prefix cannot be used, so this drives the
 * confirmation store itself over a real HTTP exchange.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfirmedClients } from '../../../src/interaction/index.ts';

describe('the consent cookie behind TLS', () => {
  const confirmed = new ConfirmedClients({ signingKey: Buffer.alloc(32, 3), secure: true });
  let server: Server;
  let url: string;
  before(async () => {
    server = createServer((req, res) => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      const clientId = query.get('client') ?? '';
      const scopes = query.getAll('scope');
      if (req.method === 'POST') confirmed.remember(req, res, clientId, scopes);
      res.end(confirmed.has(req, clientId, scopes) ? 'known' : 'unknown');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  // req: A8.2, A8.4
  it('is __Host- prefixed, Secure, HttpOnly, SameSite=Lax, signed and bound to the client id', async () => {
    const response = await fetch(`${url}?client=client-a`, { method: 'POST' });
    await response.arrayBuffer();
    const [setCookie] = response.headers.getSetCookie();
    assert.ok(setCookie);
    assert.match(setCookie, /^__Host-mcp-auth-confirmed=/);
    assert.match(setCookie, /;\s*Secure/i);
    assert.match(setCookie, /;\s*HttpOnly/i);
    assert.match(setCookie, /;\s*SameSite=Lax/i);
    assert.match(setCookie, /;\s*Path=\//i);
    assert.doesNotMatch(setCookie, /Domain=/i);
    assert.ok(!setCookie.includes('client-a'), 'the client id is hashed, not listed');
    const cookie = setCookie.split(';')[0] ?? '';

    const ask = async (client: string, value = cookie) =>
      await (await fetch(`${url}?client=${client}`, { headers: { cookie: value } })).text();
    assert.equal(await ask('client-a'), 'known');
    assert.equal(await ask('client-b'), 'unknown', 'bound to that client, not "consented once"');
    const forged = cookie.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A'));
    assert.equal(await ask('client-a', forged), 'unknown', 'a tampered signature is ignored');
  });

  // req: A8.2
  it('binds a confirmation to the step-up scopes it was given, so a new step-up scope is confirmed again', async () => {
    const response = await fetch(`${url}?client=client-a&scope=files:write`, { method: 'POST' });
    await response.arrayBuffer();
    const cookie = (response.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const ask = async (query: string) =>
      await (await fetch(`${url}?client=client-a${query}`, { headers: { cookie } })).text();
    assert.equal(await ask(''), 'known', 'the client itself');
    assert.equal(await ask('&scope=files:write'), 'known');
    assert.equal(await ask('&scope=files:write&scope=admin'), 'unknown', 'a scope not yet confirmed');
  });
});
