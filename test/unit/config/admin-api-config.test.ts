import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeConfig } from '../../../src/config/index.ts';
import { loadOk, loadProblems, MINIMAL_ENV, problemFor } from './config-fixtures.ts';

const TOKEN = 'Xq8vN2kR7tW4zY6mC9pL1sD5fH0jGa3bE7uK2oQ9';

describe('admin API configuration', () => {
  it('is off unless MCP_AUTH_PROXY_ADMIN_TOKEN is set', () => {
    assert.equal(loadOk(MINIMAL_ENV).config.adminApi, undefined);
    assert.equal(describeConfig(loadOk(MINIMAL_ENV).config)['adminApi'], null);
  });

  it('is on with a token, and never shows the token', () => {
    const { config } = loadOk({ ...MINIMAL_ENV, MCP_AUTH_PROXY_ADMIN_TOKEN: TOKEN });
    assert.deepEqual(config.adminApi, { token: TOKEN });
    assert.deepEqual(describeConfig(config)['adminApi'], { token: '[set]' });
    assert.ok(!JSON.stringify(describeConfig(config)).includes(TOKEN));
  });

  it('refuses a token shorter than 32 characters, or not a bearer token, without echoing it', () => {
    const short = 'q3Vb8xN2kR7tW4zY6mC9pL1sD5fH0jG';
    const problem = problemFor(
      loadProblems({ ...MINIMAL_ENV, MCP_AUTH_PROXY_ADMIN_TOKEN: short }),
      'MCP_AUTH_PROXY_ADMIN_TOKEN',
    );
    assert.match(problem.message, /at least 32 characters long \(got 31\)/);
    assert.ok(!problem.message.includes(short));
    const spaced = 'an admin token with spaces in it, so no bearer token';
    const malformed = problemFor(
      loadProblems({ ...MINIMAL_ENV, MCP_AUTH_PROXY_ADMIN_TOKEN: spaced }),
      'MCP_AUTH_PROXY_ADMIN_TOKEN',
    );
    assert.match(malformed.message, /RFC 6750/);
    assert.ok(!malformed.message.includes(spaced));
  });

  it('refuses the metrics token as the admin token', () => {
    const problems = loadProblems({
      ...MINIMAL_ENV,
      MCP_AUTH_PROXY_METRICS_TOKEN: TOKEN,
      MCP_AUTH_PROXY_ADMIN_TOKEN: TOKEN,
    });
    const problem = problemFor(problems, 'MCP_AUTH_PROXY_ADMIN_TOKEN');
    assert.match(problem.message, /must differ from MCP_AUTH_PROXY_METRICS_TOKEN/);
    assert.ok(!problem.message.includes(TOKEN));
  });

  it('keeps /admin for the admin API: an MCP server cannot be mounted there', () => {
    const problems = loadProblems({ ...MINIMAL_ENV, MCP_SERVER_URL: 'http://127.0.0.1:3001/admin/mcp' });
    assert.match(
      problemFor(problems, 'MCP_SERVER_URL').message,
      /collides with the proxy's own \/admin routes/,
    );
  });
});
