import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadOk, MINIMAL_ENV } from './config-fixtures.ts';

describe('unknown variables', () => {
  it('warns about variables with our prefixes that the proxy does not read, suggesting the closest name', () => {
    const { warnings } = loadOk({
      ...MINIMAL_ENV,
      IDENTITY_CLIENTID: 'x',
      MCP_AUTH_PROXY_REDIS_PERFIX: 'y',
      BRANDING_COLOUR: 'z',
    });
    assert.deepEqual(warnings, [
      'BRANDING_COLOUR is not a variable the proxy reads',
      'IDENTITY_CLIENTID is not a variable the proxy reads; did you mean IDENTITY_CLIENT_ID?',
      'MCP_AUTH_PROXY_REDIS_PERFIX is not a variable the proxy reads; did you mean MCP_AUTH_PROXY_REDIS_PREFIX?',
    ]);
  });

  it('leaves other variables alone', () => {
    const { warnings } = loadOk({
      ...MINIMAL_ENV,
      PATH: '/bin',
      OTEL_SDK_DISABLE: 'true',
      DYNO: 'web.1',
      REDIS_URL: 'redis://x',
    });
    assert.deepEqual(warnings, []);
  });
});
