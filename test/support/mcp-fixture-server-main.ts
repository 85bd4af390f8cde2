/**
 * Runs the MCP fixture server as its own process, for the supervisor and
 * end-to-end tests that spawn an MCP server:
 *
 *   PORT=0 node test/support/mcp-fixture-server-main.ts   → prints `listening <port>`
 *
 * MCP_FIXTURE_STATELESS=true serves without sessions. MCP_FIXTURE_REQUIRE_BEARER=true
 * answers 401 to requests without a bearer token; `whoami` then returns the
 * bearer token itself, so a test can tell which (fake) IdP token arrived.
 * Reading the environment here is allowed: this is test support, not product code.
 */
import { startMcpFixtureServer } from './mcp-fixture-server.ts';

const requireBearer = process.env['MCP_FIXTURE_REQUIRE_BEARER'] === 'true';
const fixture = await startMcpFixtureServer({
  stateful: process.env['MCP_FIXTURE_STATELESS'] !== 'true',
  port: Number(process.env['PORT'] ?? '0'),
  ...(requireBearer
    ? { validateToken: (bearer: string) => (bearer === '' ? undefined : { user: bearer }) }
    : {}),
});
process.stdout.write(`listening ${new URL(fixture.url).port}\n`);

const stop = (): void => {
  void fixture.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
