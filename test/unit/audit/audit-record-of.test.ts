/**
 * Who, which client and where, as an audit record reads them from the
 * request that carried the action (src/audit/audit-record-of.ts): the
 * address as the deployment trusts it, a bounded user agent, the request id.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { auditRecordOf } from '../../../src/audit/index.ts';

/** A real request as the proxy's server receives it, with the headers given. */
class RequestCatcher {
  readonly #server = createServer((req, res) => {
    this.#caught?.(req);
    res.end();
  });
  #caught: ((req: IncomingMessage) => void) | undefined;

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
  }
  async close(): Promise<void> {
    await new Promise((resolve) => this.#server.close(resolve));
  }
  async catch(headers: Record<string, string>): Promise<IncomingMessage> {
    const caught = new Promise<IncomingMessage>((resolve) => (this.#caught = resolve));
    const { port } = this.#server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/`, { headers });
    await response.arrayBuffer();
    return caught;
  }
}

const context = (trustForwarded: boolean) => ({
  clock: { nowMs: () => Date.parse('2026-01-02T03:04:05.000Z') },
  source: 'proxy' as const,
  trustForwarded,
});

describe('audit records of observed events', () => {
  const catcher = new RequestCatcher();
  before(() => catcher.start());
  after(() => catcher.close());

  it('takes the address from the last X-Forwarded-For hop behind the router, and the socket with LOCAL_INSECURE', async () => {
    const request = await catcher.catch({
      'x-forwarded-for': '198.51.100.1, 203.0.113.7',
      'x-request-id': 'abc-1',
    });
    const event = {
      type: 'origin.refused',
      origin: 'https://x.example',
      host: 'proxy.example',
      request,
    } as const;
    assert.equal(auditRecordOf(event, context(true))?.address, '203.0.113.7');
    assert.equal(auditRecordOf(event, context(false))?.address, '127.0.0.1');
    assert.equal(auditRecordOf(event, context(false))?.requestId, 'abc-1');
  });

  it('keeps at most 512 characters of a user agent, Origin or Host', async () => {
    const long = 'x'.repeat(2_000);
    const request = await catcher.catch({ 'user-agent': long, origin: `https://${long}.example` });
    const record = auditRecordOf(
      { type: 'origin.refused', origin: request.headers.origin, host: long, request },
      context(false),
    );
    assert.equal(record?.userAgent?.length, 512);
    assert.equal(record?.origin?.length, 512);
    assert.equal(record?.host?.length, 512);
  });

  it('records the MAX_REQUESTS refusal, and neither the per-grant MCP limit nor MCP traffic', async () => {
    const request = await catcher.catch({});
    assert.equal(
      auditRecordOf({ type: 'rate_limit.rejected', limiter: 'address', request }, context(false))?.event,
      'audit.rate_limited',
    );
    assert.equal(
      auditRecordOf({ type: 'rate_limit.rejected', limiter: 'grant', request }, context(false)),
      undefined,
    );
    assert.equal(
      auditRecordOf(
        {
          type: 'mcp.request',
          method: 'tools/call',
          status: 200,
          durationSeconds: 0.01,
          upstreamFirstByteSeconds: 0.005,
        },
        context(false),
      ),
      undefined,
    );
  });

  it('records a sign-in and a request the access rules refused, each with its rule', async () => {
    const request = await catcher.catch({ 'user-agent': 'agent/1' });
    const client = { clientId: 'c1', clientName: 'Agent' };
    const signIn = auditRecordOf(
      { type: 'signin.refused', accountId: 'u1', rule: 'staff-only', ...client, request },
      context(false),
    );
    assert.equal(signIn?.event, 'audit.signin_refused');
    assert.deepEqual([signIn?.accountId, signIn?.clientName, signIn?.rule], ['u1', 'Agent', 'staff-only']);
    const denied = auditRecordOf(
      {
        type: 'access.denied',
        grantId: 'g1',
        accountId: 'u1',
        clientId: 'c1',
        server: 'tickets',
        rule: 'finance-payments',
        reason: 'denied',
        method: 'tools/call',
        item: { kind: 'tools', name: 'payments_send' },
        request,
      },
      context(false),
    );
    assert.equal(denied?.event, 'audit.access_denied');
    const { server, rule, reason, method, kind, name, grantId } = denied ?? {};
    assert.deepEqual(
      { server, rule, reason, method, kind, name, grantId },
      {
        server: 'tickets',
        rule: 'finance-payments',
        reason: 'denied',
        method: 'tools/call',
        kind: 'tools',
        name: 'payments_send',
        grantId: 'g1',
      },
    );
  });

  it('leaves out where for an action without a request (a refused upstream refresh)', () => {
    const record = auditRecordOf(
      {
        type: 'grant.revoked',
        by: 'refresh_refused',
        grantId: 'g1',
        accountId: 'u1',
        clientId: 'c1',
        request: undefined,
      },
      context(true),
    );
    assert.deepEqual(record, {
      logType: 'audit',
      auditVersion: 1,
      time: '2026-01-02T03:04:05.000Z',
      source: 'proxy',
      event: 'audit.grant_revoked',
      accountId: 'u1',
      clientId: 'c1',
      grantId: 'g1',
      by: 'refresh_refused',
    });
  });
});
