import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createAdmission,
  type AdmissionOptions,
  type AdmitStep,
  type VerifiedAccess,
} from '../../../src/admission/index.ts';
import type { RateLimiter } from '../../../src/http-kit/rate-limiter.ts';
import type { ObservedEvent } from '../../../src/observability/index.ts';
import { silentLogger } from '../../../src/shared/logger.ts';
import { createManualClock } from '../../contract/manual-clock.ts';
import { serveSteps } from './steps-harness.ts';

const TICKETS = 'https://proxy.example/tickets/mcp';
const DOCS = 'https://proxy.example/docs/mcp';
const NOW_SECONDS = Math.floor(Date.UTC(2030, 0, 1) / 1000);

const accessFor = (resource: string, expiresAtSeconds = NOW_SECONDS + 3600): VerifiedAccess => ({
  grantId: 'grant-1',
  accountId: 'alice',
  clientId: 'client-1',
  scopes: ['openid'],
  expiresAtSeconds,
  resource,
});

function ticketsAdmission(overrides: Partial<AdmissionOptions> = {}) {
  const tokens = new Map<string, VerifiedAccess>([
    ['for-tickets', accessFor(TICKETS)],
    ['for-docs', accessFor(DOCS)],
    ['expires-now', accessFor(TICKETS, NOW_SECONDS)],
  ]);
  return createAdmission({
    guarded: {
      server: 'tickets',
      resource: TICKETS,
      resourceMetadataUrl: 'https://proxy.example/.well-known/oauth-protected-resource/tickets/mcp',
      challengeScopes: ['openid', 'tickets:read'],
    },
    verifyAccessToken: (token) => Promise.resolve(tokens.get(token)),
    upstreamTokens: {
      current: () => Promise.resolve('idp-token'),
      refresh: () => Promise.reject(new Error('not refreshed here')),
    },
    maxBodyBytes: 1024,
    logger: silentLogger,
    ...overrides,
  });
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe('the admission pipeline', () => {
  it('admits a token issued for this server, unexpired when the request arrived', async (t) => {
    const { steps: step } = ticketsAdmission();
    const url = await serveSteps(
      t,
      { authenticate: [step.readBearer, step.verifyToken], admit: [] },
      createManualClock(),
    );
    const response = await fetch(url, bearer('for-tickets'));
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'grant-1');
  });

  it("refuses another server's token with 401 invalid_token pointing at this server's metadata", async (t) => {
    const { steps: step } = ticketsAdmission();
    const url = await serveSteps(
      t,
      { authenticate: [step.readBearer, step.verifyToken], admit: [] },
      createManualClock(),
    );
    const response = await fetch(url, bearer('for-docs'));
    assert.equal(response.status, 401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /error="invalid_token"/);
    assert.match(
      challenge,
      /resource_metadata="https:\/\/proxy\.example\/\.well-known\/oauth-protected-resource\/tickets\/mcp"/,
    );
    assert.match(challenge, /scope="openid tickets:read"/);
    assert.equal(((await response.json()) as { error: string }).error, 'invalid_token');
  });

  it('refuses a token that had expired when the request arrived, by the injected clock', async (t) => {
    const { steps: step } = ticketsAdmission();
    const url = await serveSteps(
      t,
      { authenticate: [step.readBearer, step.verifyToken], admit: [] },
      createManualClock(),
    );
    assert.equal((await fetch(url, bearer('expires-now'))).status, 401);
  });

  it('starts the work of every step after the token check before the first of them decides', async (t) => {
    const { steps: step } = ticketsAdmission();
    const order: string[] = [];
    const recording = (name: string): AdmitStep => ({
      start: () => void order.push(`start ${name}`),
      decide: () => {
        order.push(`decide ${name}`);
        return 'next';
      },
    });
    const url = await serveSteps(
      t,
      { authenticate: [step.readBearer, step.verifyToken], admit: [recording('a'), recording('b')] },
      createManualClock(),
    );
    assert.equal((await fetch(url, bearer('for-tickets'))).status, 200);
    assert.deepEqual(order, ['start a', 'start b', 'decide a', 'decide b']);
  });

  it('decides in order and stops at the first step that answers', async (t) => {
    const events: ObservedEvent[] = [];
    const limiter: RateLimiter = {
      consume: () => Promise.resolve({ allowed: false, limit: 1, remaining: 0, resetSeconds: 7 }),
    };
    const { steps: step } = ticketsAdmission({
      rateLimiter: limiter,
      observe: (event) => events.push(event),
    });
    let decidedAfter = false;
    const url = await serveSteps(
      t,
      {
        authenticate: [step.readBearer, step.verifyToken],
        admit: [
          step.applyRateLimit,
          {
            decide: () => {
              decidedAfter = true;
              return 'next';
            },
          },
        ],
      },
      createManualClock(),
    );
    const response = await fetch(url, bearer('for-tickets'));
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('retry-after'), '7');
    assert.equal(decidedAfter, false);
    assert.deepEqual(
      events.map((event) => [event.type, 'server' in event ? event.server : undefined]),
      [['rate_limit.rejected', 'tickets']],
    );
  });

  it('refuses every new request with 503 once the transport closes', async (t) => {
    const admission = ticketsAdmission();
    const { steps: step } = admission;
    const url = await serveSteps(
      t,
      { authenticate: [step.refuseWhileClosing, step.readBearer, step.verifyToken], admit: [] },
      createManualClock(),
    );
    assert.equal((await fetch(url, bearer('for-tickets'))).status, 200);
    admission.close();
    const refused = await fetch(url, bearer('for-tickets'));
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '5');
  });

  it('reads the body once, and answers 413 past the limit', async (t) => {
    const { steps: step } = ticketsAdmission();
    const bodies: string[] = [];
    const url = await serveSteps(
      t,
      { authenticate: [step.readBearer, step.verifyToken], admit: [step.readBody] },
      createManualClock(),
      (admitted) => bodies.push(admitted.body?.toString('utf8') ?? ''),
    );
    const post = (body: string) =>
      fetch(url, { method: 'POST', body, headers: { authorization: 'Bearer for-tickets' } });
    assert.equal((await post('{"jsonrpc":"2.0"}')).status, 200);
    assert.deepEqual(bodies, ['{"jsonrpc":"2.0"}']);
    const refused = await post('x'.repeat(2048));
    assert.equal(refused.status, 413);
    assert.equal(((await refused.json()) as { error: string }).error, 'request_too_large');
  });
});
