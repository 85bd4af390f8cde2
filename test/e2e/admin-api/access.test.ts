/**
 * Who may call the admin API, and how often (docs/admin-api.md): off unless
 * configured, only with the admin token, within a per-address budget that
 * failed attempts spend too, and JSON for every answer, errors included.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestFrom } from '../../support/from-address.ts';
import { cleanupStack } from '../../support/login-bridge-steps.ts';
import { startTestProxy } from '../../support/test-proxy.ts';
import { adminCall, ADMIN_TOKEN, startAdminProxy } from './admin-steps.ts';

describe('admin API access', () => {
  it('is off by default: /admin/v1/ answers 404, even with a token', async (t) => {
    const defer = cleanupStack(t);
    const proxy = await startTestProxy();
    defer(() => proxy.close());
    for (const method of ['GET', 'DELETE']) {
      const answer = await adminCall(proxy.baseUrl, method, '/admin/v1/users/anyone/grants');
      assert.deepEqual([answer.status, answer.body['error']], [404, 'not_found']);
    }
  });

  it('answers 401 with a Bearer challenge without the admin token, with another token or another scheme', async (t) => {
    const defer = cleanupStack(t);
    const { proxy, events } = await startAdminProxy();
    defer(() => proxy.close());
    const missing = await adminCall(proxy.baseUrl, 'GET', '/admin/v1/clients', null);
    assert.deepEqual([missing.status, missing.body['error']], [401, 'invalid_token']);
    // RFC 6750 §3.1: no error code in the challenge when no token was sent.
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="mcp-auth-proxy admin"');
    const wrong = await adminCall(
      proxy.baseUrl,
      'DELETE',
      '/admin/v1/users/alice/grants',
      `Bearer ${ADMIN_TOKEN}x`,
    );
    assert.deepEqual([wrong.status, wrong.body['error']], [401, 'invalid_token']);
    assert.equal(
      wrong.headers.get('www-authenticate'),
      'Bearer realm="mcp-auth-proxy admin", error="invalid_token"',
    );
    const basic = `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`;
    const otherScheme = await adminCall(proxy.baseUrl, 'GET', '/admin/v1/clients', basic);
    assert.equal(otherScheme.status, 401);
    assert.deepEqual(
      events.flatMap((event) => (event.type === 'admin.refused' ? [event.reason] : [])),
      ['missing_token', 'wrong_token', 'missing_token'],
    );
    assert.ok(!events.some((event) => event.type === 'admin.request'), 'nothing was done');
    const ok = await adminCall(proxy.baseUrl, 'GET', '/admin/v1/clients', `bearer ${ADMIN_TOKEN}`);
    assert.equal(ok.status, 200, 'the scheme is case-insensitive (RFC 9110 §11.1)');
  });

  it('answers JSON 405 with Allow for another method, and JSON 404 for a path it does not serve', async (t) => {
    const defer = cleanupStack(t);
    const { proxy } = await startAdminProxy();
    defer(() => proxy.close());
    const post = await adminCall(proxy.baseUrl, 'POST', '/admin/v1/users/alice/grants');
    assert.deepEqual([post.status, post.body['error']], [405, 'method_not_allowed']);
    assert.equal(post.headers.get('allow'), 'GET, DELETE');
    const unknown = await adminCall(proxy.baseUrl, 'GET', '/admin/v1/users/alice');
    assert.deepEqual([unknown.status, unknown.body['error']], [404, 'not_found']);
  });

  it('limits calls per client address, failed ones included, whatever client_id a caller makes up', async (t) => {
    const defer = cleanupStack(t);
    const { proxy, events } = await startAdminProxy({
      env: { MAX_REQUESTS: '3', MAX_REQUESTS_WINDOW: '60000' },
    });
    defer(() => proxy.close());
    const call = (from: string, token: string, clientId: string) =>
      requestFrom(from, `${proxy.baseUrl}/admin/v1/clients?client_id=${clientId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
    // Each made-up client id is a fresh key for the host's MAX_REQUESTS count, not for the admin API's.
    for (const guess of ['a', 'b', 'c'])
      assert.equal((await call('127.0.0.21', `${guess}-${ADMIN_TOKEN}`, guess)).status, 401);
    const limited = await call('127.0.0.21', ADMIN_TOKEN, 'd');
    assert.equal(limited.status, 429, 'the budget was spent by the failures: even the right token waits');
    assert.equal(JSON.parse(limited.body).error, 'rate_limited');
    assert.match(String(limited.headers['retry-after']), /^\d+$/);
    assert.equal(limited.headers['ratelimit-remaining'], '0');
    assert.ok(events.some((event) => event.type === 'rate_limit.rejected' && event.limiter === 'address'));
    assert.equal(
      (await call('127.0.0.22', ADMIN_TOKEN, 'e')).status,
      200,
      'another address has its own budget',
    );
  });

  it('answers 503 with Retry-After when the store does not answer', async (t) => {
    const defer = cleanupStack(t);
    const { proxy } = await startAdminProxy();
    defer(() => proxy.close());
    // A closed store fails every call as an outage does (DependencyUnavailableError); the rate limits fail open.
    await proxy.app.store.close();
    for (const [method, path] of [
      ['GET', '/admin/v1/clients'],
      ['GET', '/admin/v1/users/alice/grants'],
      ['DELETE', '/admin/v1/users/alice/grants'],
      ['DELETE', '/admin/v1/grants/some-grant'],
    ] as const) {
      const answer = await adminCall(proxy.baseUrl, method, path);
      assert.deepEqual(
        [answer.status, answer.body['error']],
        [503, 'temporarily_unavailable'],
        `${method} ${path}`,
      );
      assert.match(answer.headers.get('retry-after') ?? '', /^\d+$/);
    }
  });
});
