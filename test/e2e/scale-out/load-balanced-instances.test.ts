/**
 * Three proxy instances (real processes) behind HAProxy, round-robin and
 * without stickiness, on one Redis Sentinel deployment, with the HAProxy
 * configuration docs/deploy.md shows. What one sign-in, one revocation, one
 * upstream refresh, one rate limit and one SSE stream look like when every
 * request may land on another instance, and when the instance serving a
 * stream dies.
 */
import assert from 'node:assert/strict';
import { after, describe, it, type TestContext } from 'node:test';
import {
  loadBalancedDeploymentOrSkip,
  startLoadBalancedDeployment,
  type Instance,
  type LoadBalancedDeployment,
} from '../../support/load-balanced-deployment.ts';
import type { ServerState } from '../../support/haproxy.ts';
import { SoakClient } from '../../support/soak/soak-client.ts';
import { signInHops } from '../../support/soak/sign-in-hops.ts';
import { WireRecorder } from '../../support/soak/wire-recorder.ts';
import { revokeAt, whoamiAt } from '../proxy/instance-pair-steps.ts';
import { eventually, initializeRaw, logIn, MCP_PROTOCOL_VERSION, postMcp } from '../proxy/proxy-steps.ts';
import { sseEvents } from './sse-events.ts';

/** The target the issue sets: a revocation holds on every instance this soon. */
const REVOCATION_EVERYWHERE_MS = 1_000;
/** MAX_REQUESTS of this deployment: every sign-in of this file fits in it, the probe does not. */
const MAX_REQUESTS = 150;

let starting: Promise<LoadBalancedDeployment> | undefined;
after(async () => {
  const running = await starting?.catch(() => undefined);
  await running?.stop();
});

async function deployment(t: TestContext): Promise<LoadBalancedDeployment | undefined> {
  if (!loadBalancedDeploymentOrSkip(t, 'the load-balanced instances test')) return undefined;
  starting ??= startLoadBalancedDeployment({
    MAX_REQUESTS: String(MAX_REQUESTS),
    MAX_REQUESTS_WINDOW: '600000',
  });
  return await starting;
}

const mcpOf = (instance: Instance): string => `${instance.url}/mcp`;

describe('three proxy instances behind HAProxy, round-robin, on Redis Sentinel', () => {
  it('serve the steps of one sign-in (/authorize, the IdP callback, /token) on different instances', async (t) => {
    const lb = await deployment(t);
    if (lb === undefined) return;
    const recorder = new WireRecorder(lb.baseUrl);
    const clients = [0, 1, 2, 3].map((index) => new SoakClient(1000 + index, lb.mcpUrl, recorder));
    for (const client of clients) await client.signIn();
    for (const client of clients) assert.ok(await client.callOnce(), 'the signed-in client calls a tool');
    await Promise.all(clients.map((client) => client.close()));
    // option abortonclose: the closed clients' silent GET streams do not stay open at the instances.
    await eventually(
      'HAProxy to close the streams of the closed clients',
      async () =>
        (await lb.haproxy.servers()).every((server) => server.currentSessions === 0) ? true : undefined,
      { timeoutMs: 5_000 },
    );

    const hops = signInHops(
      lb,
      clients.map((client) => client.signInTag),
    );
    assert.equal(hops.traced, clients.length, 'every step of every sign-in is in some instance log');
    assert.ok(hops.acrossTwoOrMore >= 1, JSON.stringify(hops));
  });

  it('make a revocation effective on every instance within 1 s', async (t) => {
    const lb = await deployment(t);
    if (lb === undefined) return;
    const alice = await logIn(lb.mcpUrl, 'alice');
    const token = alice.tokens.access_token;
    // Warm every instance's access cache: the revocation has to reach it, not a cold miss.
    for (const instance of lb.instances) assert.equal((await whoamiAt(mcpOf(instance), token)).status, 200);

    const revoked = await revokeAt(lb.baseUrl, alice, token, 'access_token');
    assert.equal(revoked.status, 200);
    const revokedAtMs = Date.now();
    await revoked.arrayBuffer();

    const takesMs = await Promise.all(
      lb.instances.map(async (instance) => {
        for (;;) {
          const response = await initializeRaw(mcpOf(instance), token);
          await response.arrayBuffer();
          if (response.status === 401) return Date.now() - revokedAtMs;
          if (Date.now() - revokedAtMs > 5_000) return Number.POSITIVE_INFINITY;
        }
      }),
    );
    t.diagnostic(`revocation effective after ${takesMs.join(', ')} ms on the three instances`);
    for (const takeMs of takesMs) assert.ok(takeMs <= REVOCATION_EVERYWHERE_MS, `${takesMs.join(', ')} ms`);
  });

  it('refresh an expired upstream token once for a grant used on all instances at the same time', async (t) => {
    const lb = await deployment(t);
    if (lb === undefined) return;
    const bob = await logIn(lb.mcpUrl, 'bob');
    const token = bob.tokens.access_token;
    for (const instance of lb.instances) assert.equal((await whoamiAt(mcpOf(instance), token)).status, 200);

    lb.idp.expireAccessTokens();
    const refreshesBefore = lb.idp.counts.refresh;
    const answers = await Promise.all(
      [...lb.instances, ...lb.instances, ...lb.instances].map((instance) => whoamiAt(mcpOf(instance), token)),
    );
    assert.deepEqual(
      answers.map(({ status }) => status),
      answers.map(() => 200),
    );
    for (const { text } of answers) assert.match(text, /bob/);
    assert.equal(
      lb.idp.counts.refresh - refreshesBefore,
      1,
      'one upstream refresh for nine requests on three instances',
    );
  });

  it('count MAX_REQUESTS once across the instances', async (t) => {
    const lb = await deployment(t);
    if (lb === undefined) return;
    // Keyed by address and client: HAProxy's address (X-Forwarded-For is not trusted with LOCAL_INSECURE) and this client id.
    const probe = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: 'x',
      client_id: 'rate-probe',
    });
    const statuses: number[] = [];
    for (let request = 0; request < MAX_REQUESTS + 30; request += 1) {
      const response = await fetch(`${lb.baseUrl}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: probe.toString(),
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    const limited = statuses.filter((status) => status === 429).length;
    assert.equal(statuses.length - limited, MAX_REQUESTS, 'the limit is shared, not multiplied by three');
    assert.equal(limited, 30);
    assert.ok(statuses.slice(MAX_REQUESTS).every((status) => status === 429));
  });

  it('resume an SSE stream on another instance with Last-Event-ID when its instance is killed mid-stream', async (t) => {
    const lb = await deployment(t);
    if (lb === undefined) return;
    const carol = await logIn(lb.mcpUrl, 'carol');
    const token = carol.tokens.access_token;
    const initialized = await initializeRaw(lb.mcpUrl, token);
    assert.equal(initialized.status, 200);
    const sessionId = initialized.headers.get('mcp-session-id') ?? '';
    await initialized.arrayBuffer();
    const headers = { 'mcp-session-id': sessionId };
    await (await postMcp(lb.mcpUrl, token, { method: 'notifications/initialized' }, headers)).arrayBuffer();

    const steps = 12;
    // Streams other tests left open (SDK clients' GET streams) are told apart by counting before the call.
    const before = new Map(
      (await lb.haproxy.servers()).map((server) => [server.name, server.currentSessions]),
    );
    const call = await postMcp(
      lb.mcpUrl,
      token,
      {
        id: 7,
        method: 'tools/call',
        params: {
          name: 'progress',
          arguments: { count: steps, delayMs: 150 },
          _meta: { progressToken: 'p' },
        },
      },
      headers,
    );
    assert.equal(call.status, 200);
    assert.match(call.headers.get('content-type') ?? '', /text\/event-stream/);
    const progress: number[] = [];
    let lastEventId: string | undefined;
    let killed: Instance | undefined;
    let result: string | undefined;
    const read = (data: string): void => {
      if (data === '') return;
      const message = JSON.parse(data) as {
        params?: { progress?: number };
        result?: { content: [{ text: string }] };
      };
      if (message.params?.progress !== undefined) progress.push(message.params.progress);
      if (message.result !== undefined) result = message.result.content[0].text;
    };
    try {
      for await (const event of sseEvents(call.body!)) {
        lastEventId = event.id ?? lastEventId;
        read(event.data);
        if (progress.length === 3 && killed === undefined) {
          // The instance HAProxy opened one more stream with is the one serving this call.
          const serving: ServerState[] = (await lb.haproxy.servers()).filter(
            (server) => server.currentSessions > (before.get(server.name) ?? 0),
          );
          assert.equal(serving.length, 1, JSON.stringify(serving));
          killed = lb.instances.find((instance) => instance.name === serving[0]?.name);
          assert.ok(killed !== undefined);
          await lb.kill(killed);
        }
      }
    } catch (error) {
      // The stream breaks off with its instance; anything before the kill is a failure.
      if (killed === undefined) throw error;
    }
    assert.ok(killed !== undefined, 'the instance was killed mid-stream');
    assert.equal(result, undefined, 'the call had not finished when its instance died');
    assert.ok(lastEventId !== undefined, 'the events carry ids');

    const resumed = await fetch(lb.mcpUrl, {
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'text/event-stream',
        'mcp-protocol-version': MCP_PROTOCOL_VERSION,
        'mcp-session-id': sessionId,
        'last-event-id': lastEventId,
      },
      signal: AbortSignal.timeout(30_000),
    });
    assert.equal(resumed.status, 200, await resumed.clone().text());
    for await (const event of sseEvents(resumed.body!)) {
      read(event.data);
      if (result !== undefined) break;
    }
    await resumed.body?.cancel().catch(() => undefined);

    assert.equal(result, `done ${steps}`);
    assert.deepEqual(
      progress,
      Array.from({ length: steps }, (_, index) => index + 1),
      'every progress event arrived once, in order, across the two instances',
    );
    await lb.restart(killed);
  });
});
