import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  ALICE,
  BASE_URL,
  CLIENT_TOKEN,
  IDP_TOKEN,
  bearer,
  startProxyHarness,
  type ProxyHarness,
} from './proxy-harness.ts';

const REFRESHED = `${IDP_TOKEN}-refreshed`;
const REFUSED_CHALLENGE =
  `Bearer resource_metadata="${BASE_URL}/.well-known/oauth-protected-resource/mcp", error="invalid_token", ` +
  'error_description="The identity provider no longer accepts this sign-in; authorize again.", scope="openid global"';

describe('refresh and retry when the MCP server refuses the IdP token', () => {
  let harness: ProxyHarness;
  /** The IdP tokens the MCP server currently accepts. */
  const accepted = new Set<string>();
  let echoUrl: string;

  before(async () => {
    harness = await startProxyHarness({
      fixture: {
        stateful: false,
        validateToken: (token) => (accepted.has(token) ? { user: 'alice' } : undefined),
      },
    });
    echoUrl = `${harness.url}/__fixture/echo`;
  });
  after(() => harness.close());
  beforeEach(() => {
    accepted.clear();
    accepted.add(REFRESHED);
    harness.upstreamTokens.tokens.set(ALICE.grantId, IDP_TOKEN);
    harness.upstreamTokens.refreshCalls.length = 0;
    harness.upstreamTokens.refreshBehaviour = 'rotate';
    harness.fixture.seenAuthorizations.length = 0;
  });

  const postEcho = (body: string): Promise<Response> =>
    fetch(echoUrl, {
      method: 'POST',
      headers: { ...bearer(CLIENT_TOKEN), 'content-type': 'application/json' },
      body,
    });

  it('refreshes once and replays the same request, body included, with the new token', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'echo' } });
    const response = await postEcho(body);
    assert.equal(response.status, 200);
    const echo = (await response.json()) as { body: string; headers: Record<string, string> };
    assert.equal(echo.body, body);
    assert.equal(echo.headers['authorization'], `Bearer ${REFRESHED}`);
    assert.deepEqual(harness.upstreamTokens.refreshCalls, [
      { grantId: ALICE.grantId, rejectedToken: IDP_TOKEN },
    ]);
    assert.deepEqual(harness.fixture.seenAuthorizations, [`Bearer ${IDP_TOKEN}`, `Bearer ${REFRESHED}`]);
    const refreshLog = harness.logLines.find(
      (line) => line['event'] === 'proxy.upstream_refresh' && line['outcome'] === 'refreshed',
    );
    assert.equal(refreshLog?.['grantId'], ALICE.grantId);
  });

  it('replays a body up to the size limit', async () => {
    const body = JSON.stringify({ padding: 'p'.repeat(3 * 1024 * 1024) });
    const response = await postEcho(body);
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { body: string }).body.length, body.length);
  });

  it('asks for at most one refresh per request when ten requests are refused at once', async () => {
    harness.upstreamTokens.refreshBehaviour = 'rotate-unsaved';
    const responses = await Promise.all(Array.from({ length: 10 }, (_, index) => postEcho(`{"n":${index}}`)));
    assert.deepEqual(
      responses.map((response) => response.status),
      Array.from({ length: 10 }, () => 200),
    );
    await Promise.all(responses.map((response) => response.arrayBuffer()));
    // Each request was refused once and replayed once; single flight across
    // requests is the token source's job, so each request asks at most once.
    assert.equal(harness.upstreamTokens.refreshCalls.length, 10);
    assert.ok(harness.upstreamTokens.refreshCalls.every((call) => call.rejectedToken === IDP_TOKEN));
    assert.equal(harness.fixture.seenAuthorizations.length, 20);
  });

  it('answers our 401 challenge when the replay is refused too, without a third attempt', async () => {
    accepted.clear();
    const response = await postEcho('{}');
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), REFUSED_CHALLENGE);
    assert.equal(((await response.json()) as { error: string }).error, 'invalid_token');
    assert.equal(harness.upstreamTokens.refreshCalls.length, 1);
    assert.equal(harness.fixture.seenAuthorizations.length, 2);
  });

  it('answers our 401 challenge when the IdP refuses the refresh', async () => {
    harness.upstreamTokens.refreshBehaviour = 'refuse';
    const response = await postEcho('{}');
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), REFUSED_CHALLENGE);
    assert.equal(response.headers.get('location'), null);
    await response.body?.cancel();
    assert.equal(harness.fixture.seenAuthorizations.length, 1);
    const refreshLog = harness.logLines.findLast((line) => line['event'] === 'proxy.upstream_refresh');
    assert.equal(refreshLog?.['outcome'], 'refused');
  });

  it('answers 503 with Retry-After when the IdP is briefly unavailable', async () => {
    harness.upstreamTokens.refreshBehaviour = 'unavailable';
    const response = await postEcho('{}');
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '5');
    assert.deepEqual(await response.json(), {
      error: 'temporarily_unavailable',
      error_description: 'IdP timed out',
    });
    assert.equal(harness.fixture.seenAuthorizations.length, 1);
  });

  it('does not refresh when the MCP server accepts the token', async () => {
    accepted.add(IDP_TOKEN);
    const response = await postEcho('{}');
    assert.equal(response.status, 200);
    await response.body?.cancel();
    assert.equal(harness.upstreamTokens.refreshCalls.length, 0);
  });
});
