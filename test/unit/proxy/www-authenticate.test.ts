import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildBearerChallenge, quotedString } from '../../../src/oauth/www-authenticate.ts';

describe('buildBearerChallenge', () => {
  it('orders resource_metadata, error, error_description and scope', () => {
    assert.equal(
      buildBearerChallenge({
        resourceMetadata: 'https://proxy.example/.well-known/oauth-protected-resource/mcp',
        error: 'invalid_token',
        errorDescription: 'expired',
        scope: 'openid global',
      }),
      'Bearer resource_metadata="https://proxy.example/.well-known/oauth-protected-resource/mcp", error="invalid_token", error_description="expired", scope="openid global"',
    );
  });

  it('leaves out what is not given, and an empty scope', () => {
    assert.equal(
      buildBearerChallenge({ resourceMetadata: 'https://a.example/m', scope: '' }),
      'Bearer resource_metadata="https://a.example/m"',
    );
    assert.equal(buildBearerChallenge({}), 'Bearer');
  });

  it('puts realm first when given', () => {
    assert.equal(
      buildBearerChallenge({ realm: 'mcp', error: 'insufficient_scope' }),
      'Bearer realm="mcp", error="insufficient_scope"',
    );
  });
});

describe('quotedString (RFC 9110 §5.6.4)', () => {
  it('escapes double quotes and backslashes as quoted-pairs', () => {
    assert.equal(quotedString('say "hi" \\o/'), '"say \\"hi\\" \\\\o/"');
  });

  it('replaces control characters and non-ASCII, so a header can neither break nor be split', () => {
    assert.equal(quotedString('a\r\nSet-Cookie: x\tb é ☃'), '"a  Set-Cookie: x b    "');
  });

  it('produces a value Node accepts as a header', async () => {
    const { validateHeaderValue } = await import('node:http');
    assert.doesNotThrow(() =>
      validateHeaderValue('www-authenticate', buildBearerChallenge({ errorDescription: 'ünï\u0000"\\\n' })),
    );
  });
});
