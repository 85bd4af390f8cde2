import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadProblems, MINIMAL_ENV, problemFor } from './config-fixtures.ts';

describe('the connected-apps page path', () => {
  it('keeps /account for the connected-apps page: an MCP server cannot be mounted there', () => {
    const problems = loadProblems({ ...MINIMAL_ENV, MCP_SERVER_URL: 'http://127.0.0.1:3001/account/mcp' });
    assert.match(
      problemFor(problems, 'MCP_SERVER_URL').message,
      /collides with the proxy's own \/account routes/,
    );
  });
});
