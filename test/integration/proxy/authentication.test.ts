import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { DependencyUnavailableError } from '../../../src/http-kit/dependency-unavailable-error.ts';
import {
  ALICE,
  BASE_URL,
  CLIENT_TOKEN,
  MCP_POST_HEADERS,
  bearer,
  initializeRequest,
  startProxyHarness,
  type ProxyHarness,
} from './proxy-harness.ts';

const RESOURCE_METADATA = `${BASE_URL}/.well-known/oauth-protected-resource/mcp`;

const challenge = (description: string, tokenSent: boolean): string =>
  `Bearer resource_metadata="${RESOURCE_METADATA}", ` +
  (tokenSent ? 'error="invalid_token", ' : '') +
  `error_description="${description}", scope="openid global"`;

const MISSING = 'An access token is required: send Authorization: Bearer <token>.';
const OTHER_SCHEME = 'Only Bearer access tokens are accepted: send Authorization: Bearer <token>.';
const MALFORMED = 'The Authorization header does not hold one Bearer token.';
const INVALID = 'The access token is invalid, expired, revoked or was not issued for this resource.';
const NO_UPSTREAM = 'The sign-in with the identity provider is missing or has ended; authorize again.';

async function expectChallenge(response: Response, description: string, tokenSent: boolean): Promise<void> {
  assert.equal(response.status, 401);
  assert.equal(response.headers.get('www-authenticate'), challenge(description, tokenSent));
  assert.equal(response.headers.get('location'), null);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  assert.deepEqual(await response.json(), { error: 'invalid_token', error_description: description });
}

describe('authentication at the MCP endpoint', () => {
  let harness: ProxyHarness;
  let nowMs = Date.now();
  before(async () => {
    harness = await startProxyHarness({
      fixture: { stateful: false },
      proxy: { clock: { nowMs: () => nowMs } },
    });
  });
  after(() => harness.close());

  const post = (headers: Record<string, string>): Promise<Response> =>
    fetch(harness.url, {
      method: 'POST',
      headers: { ...MCP_POST_HEADERS, ...headers },
      body: initializeRequest(),
      redirect: 'manual',
    });

  // req: A2.1, A2.3
  it('challenges a request without a token, without an error code (RFC 6750 §3.1)', async () => {
    await expectChallenge(await post({}), MISSING, false);
  });

  it('challenges another authentication scheme without an error code', async () => {
    await expectChallenge(await post({ authorization: 'Basic YWxpY2U6c2VjcmV0' }), OTHER_SCHEME, false);
  });

  for (const [label, value] of [
    ['an empty Bearer credential', 'Bearer'],
    ['two tokens', `Bearer ${CLIENT_TOKEN} ${CLIENT_TOKEN}`],
    ['characters outside b64token', 'Bearer to,ken'],
  ] as const) {
    // req: A2.2, A2.3
    it(`challenges a malformed Bearer header (${label}) with invalid_token`, async () => {
      await expectChallenge(await post({ authorization: value }), MALFORMED, true);
    });
  }

  // req: A2.1, A3.1, A3.3
  it('challenges an unknown, revoked or wrong-audience token (the verifier says no)', async () => {
    await expectChallenge(await post(bearer('not-a-token-we-issued')), INVALID, true);
  });

  it('accepts the Bearer scheme in any letter case', async () => {
    const response = await post({ authorization: `bEaReR ${CLIENT_TOKEN}` });
    assert.equal(response.status, 200);
    await response.body?.cancel();
  });

  // req: A3.1
  it('challenges a token past its expiry by the injected clock', async () => {
    nowMs = ALICE.expiresAtSeconds * 1000;
    try {
      await expectChallenge(await post(bearer(CLIENT_TOKEN)), INVALID, true);
    } finally {
      nowMs = Date.now();
    }
  });

  it('challenges a grant that has no IdP token', async () => {
    harness.upstreamTokens.tokens.delete(ALICE.grantId);
    try {
      await expectChallenge(await post(bearer(CLIENT_TOKEN)), NO_UPSTREAM, true);
    } finally {
      harness.upstreamTokens.tokens.set(ALICE.grantId, 'idp-token-alice-1');
    }
  });

  for (const method of ['GET', 'DELETE', 'PUT', 'PATCH', 'OPTIONS']) {
    it(`challenges ${method} the same way`, async () => {
      const response = await fetch(harness.url, { method, redirect: 'manual' });
      await expectChallenge(response, MISSING, false);
    });
  }

  it('challenges HEAD with the header and no body', async () => {
    const response = await fetch(harness.url, { method: 'HEAD', redirect: 'manual' });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), challenge(MISSING, false));
    assert.equal(await response.text(), '');
  });

  it('challenges a subpath and never reaches the MCP server without a valid token', async () => {
    const before = harness.fixture.seenUrls.length;
    await expectChallenge(
      await fetch(`${harness.url}/__fixture/echo?x=1`, { redirect: 'manual' }),
      MISSING,
      false,
    );
    await expectChallenge(await post(bearer('wrong')), INVALID, true);
    assert.equal(harness.fixture.seenUrls.length, before);
  });

  // req: A2.7
  it('ignores an access_token in the query (MCP authorization §9.1)', async () => {
    const response = await fetch(`${harness.url}?access_token=${CLIENT_TOKEN}`, {
      method: 'POST',
      headers: MCP_POST_HEADERS,
      body: initializeRequest(),
    });
    await expectChallenge(response, MISSING, false);
    assert.ok(!harness.rawLog().includes(CLIENT_TOKEN));
  });

  it('answers 404 (not 401) outside the mount path and for dot segments', async () => {
    const origin = new URL(harness.url).origin;
    assert.equal((await fetch(`${origin}/mcpx`, { headers: bearer(CLIENT_TOKEN) })).status, 404);
    const { hostname, port } = new URL(harness.url);
    const dotted = await new Promise<number>((resolve, reject) => {
      // A URL string would be normalized by the client; the raw path goes on the wire as written.
      const req = request(
        { hostname, port, path: '/mcp/%2e%2e/admin', headers: bearer(CLIENT_TOKEN) },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(dotted, 404);
  });
});

describe('when the token store cannot answer', () => {
  it('answers 503 with Retry-After, not 401, so the client keeps its tokens', async () => {
    const harness = await startProxyHarness({
      proxy: {
        verifyAccessToken: () =>
          Promise.reject(new DependencyUnavailableError('store', 'The store did not answer.')),
      },
    });
    try {
      const response = await fetch(harness.url, {
        method: 'POST',
        headers: { ...MCP_POST_HEADERS, ...bearer(CLIENT_TOKEN) },
        body: initializeRequest(),
      });
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('retry-after'), '5');
      assert.equal(response.headers.get('www-authenticate'), null);
      assert.deepEqual(await response.json(), {
        error: 'temporarily_unavailable',
        error_description: 'The store did not answer.',
      });
    } finally {
      await harness.close();
    }
  });

  it('answers 500 server_error without details when the verifier fails unexpectedly', async () => {
    const harness = await startProxyHarness({
      proxy: { verifyAccessToken: () => Promise.reject(new Error('secret internal detail')) },
    });
    try {
      const response = await fetch(harness.url, {
        method: 'POST',
        headers: { ...MCP_POST_HEADERS, ...bearer(CLIENT_TOKEN) },
        body: initializeRequest(),
      });
      assert.equal(response.status, 500);
      const body = await response.text();
      assert.ok(!body.includes('secret internal detail'));
      assert.equal((JSON.parse(body) as { error: string }).error, 'server_error');
      assert.ok(harness.logLines.some((line) => line['event'] === 'proxy.error'));
    } finally {
      await harness.close();
    }
  });
});
