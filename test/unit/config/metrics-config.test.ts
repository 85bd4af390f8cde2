import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeConfig } from '../../../src/config/index.ts';
import { loadOk, loadProblems, MINIMAL_ENV, problemFor } from './config-fixtures.ts';

const TOKEN = 'q3Vb8xN2kR7tW4zY6mC9pL1sD5fH0jGa';

describe('metrics configuration', () => {
  it('is off unless a metrics port or token is set', () => {
    assert.equal(loadOk(MINIMAL_ENV).config.metrics, undefined);
  });

  it('binds the metrics listener to loopback unless told otherwise', () => {
    const { config } = loadOk({ ...MINIMAL_ENV, MCP_AUTH_PROXY_METRICS_PORT: '9464' });
    assert.deepEqual(config.metrics, { listener: { host: '127.0.0.1', port: 9464 }, publicToken: undefined });
    const everywhere = loadOk({
      ...MINIMAL_ENV,
      MCP_AUTH_PROXY_METRICS_PORT: '9464',
      MCP_AUTH_PROXY_METRICS_HOST: '0.0.0.0',
    });
    assert.deepEqual(everywhere.config.metrics?.listener, { host: '0.0.0.0', port: 9464 });
  });

  it('serves public metrics with a token alone, and never shows the token', () => {
    const { config } = loadOk({ ...MINIMAL_ENV, MCP_AUTH_PROXY_METRICS_TOKEN: TOKEN });
    assert.deepEqual(config.metrics, { listener: undefined, publicToken: TOKEN });
    const described = JSON.stringify(describeConfig(config));
    assert.ok(!described.includes(TOKEN));
    assert.deepEqual(describeConfig(config)['metrics'], { listener: null, publicToken: '[set]' });
  });

  it('refuses a short or malformed token without echoing it', () => {
    const short = 'tooShort-123';
    const problems = loadProblems({ ...MINIMAL_ENV, MCP_AUTH_PROXY_METRICS_TOKEN: short });
    const problem = problemFor(problems, 'MCP_AUTH_PROXY_METRICS_TOKEN');
    assert.match(problem.message, /at least 16 characters/);
    assert.ok(!problem.message.includes(short));

    const spaced = 'has spaces in it, so no bearer token';
    const malformed = problemFor(
      loadProblems({ ...MINIMAL_ENV, MCP_AUTH_PROXY_METRICS_TOKEN: spaced }),
      'MCP_AUTH_PROXY_METRICS_TOKEN',
    );
    assert.match(malformed.message, /RFC 6750/);
    assert.ok(!malformed.message.includes(spaced));
  });

  it('refuses a port out of range, a port shared with PORT, a bad host, and a host without a port', () => {
    const range = loadProblems({ ...MINIMAL_ENV, MCP_AUTH_PROXY_METRICS_PORT: '65536' });
    assert.match(problemFor(range, 'MCP_AUTH_PROXY_METRICS_PORT').message, /from 0 to 65535/);
    const shared = loadProblems({ ...MINIMAL_ENV, PORT: '8080', MCP_AUTH_PROXY_METRICS_PORT: '8080' });
    assert.match(problemFor(shared, 'MCP_AUTH_PROXY_METRICS_PORT').message, /must differ from PORT/);
    const host = loadProblems({
      ...MINIMAL_ENV,
      MCP_AUTH_PROXY_METRICS_PORT: '9464',
      MCP_AUTH_PROXY_METRICS_HOST: 'http://0.0.0.0',
    });
    assert.match(problemFor(host, 'MCP_AUTH_PROXY_METRICS_HOST').message, /IP address/);
    const hostAlone = loadProblems({ ...MINIMAL_ENV, MCP_AUTH_PROXY_METRICS_HOST: '0.0.0.0' });
    assert.match(
      problemFor(hostAlone, 'MCP_AUTH_PROXY_METRICS_HOST').message,
      /MCP_AUTH_PROXY_METRICS_PORT is not/,
    );
  });
});
