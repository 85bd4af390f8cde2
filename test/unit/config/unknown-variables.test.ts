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

  it('leaves other variables alone, OpenTelemetry settings for other signals included', () => {
    const { warnings } = loadOk({
      ...MINIMAL_ENV,
      PATH: '/bin',
      DYNO: 'web.1',
      REDIS_URL: 'redis://x',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://collector:4318/v1/logs',
      OTEL_SDK_DISABLED: 'true',
    });
    assert.deepEqual(warnings, []);
  });

  it("suggests OTEL_SDK_DISABLED for the Heroku proxy's .env-test typo OTEL_SDK_DISABLE, which leaves tracing on", () => {
    const { warnings, config } = loadOk({ ...MINIMAL_ENV, OTEL_SDK_DISABLE: 'true' });
    assert.deepEqual(warnings, [
      'OTEL_SDK_DISABLE is not a variable the proxy reads; did you mean OTEL_SDK_DISABLED?',
    ]);
    assert.equal(config.telemetry.tracing, 'on');
  });
});
