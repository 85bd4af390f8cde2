/**
 * The stdio bridge runs the same policy step as the HTTP proxy: the child's list answers are
 * filtered for each user, and a call to a refused tool is answered by the bridge, never reaching
 * the child.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { startFakeIdp, type FakeIdp } from '../../support/fake-idp.ts';
import type { TestProxy } from '../../support/test-proxy.ts';
import { connectMcp, logIn, type LoggedIn } from '../proxy/proxy-steps.ts';
import { startStdioProxy } from '../stdio-bridge/stdio-steps.ts';

const RULES = `
access:
  - id: admin-tools
    deny: { tools: [env, exit, pid] }
    unless: { groups: [admins] }
    description: These tools are for administrators.
`;

describe('access rules on a stdio server', () => {
  let dir: string;
  let idp: FakeIdp;
  let proxy: TestProxy;
  let admin: LoggedIn;
  let user: LoggedIn;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-stdio-rules-'));
    await writeFile(join(dir, 'rules.yaml'), RULES);
    idp = await startFakeIdp({ mode: 'oidc' });
    idp.userClaims.set('ada', { idToken: { groups: ['admins'] } });
    proxy = await startStdioProxy({ MCP_AUTH_PROXY_ACCESS_RULES_FILE: join(dir, 'rules.yaml') }, { idp });
    admin = await logIn(proxy.mcpUrl, 'ada');
    user = await logIn(proxy.mcpUrl, 'ben');
  });
  after(async () => {
    await proxy.close();
    await idp.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("filters the child's tools/list for each user", async () => {
    const names = async (who: LoggedIn) => {
      const { client } = await connectMcp(proxy.mcpUrl, who.oauth);
      const tools = (await client.listTools()).tools.map((tool) => tool.name).sort();
      await client.close();
      return tools;
    };
    const adminTools = await names(admin);
    const userTools = await names(user);
    assert.ok(['env', 'exit', 'pid'].every((name) => adminTools.includes(name)));
    assert.ok(!userTools.some((name) => ['env', 'exit', 'pid'].includes(name)));
    assert.ok(userTools.includes('echo') && userTools.includes('whoami'));
  });

  it('refuses a call to a refused tool with the rule named, before the child sees it', async () => {
    const { client } = await connectMcp(proxy.mcpUrl, user.oauth);
    await assert.rejects(
      client.callTool({ name: 'env', arguments: { name: 'MCP_AUTH_TOKEN' } }),
      (error: unknown) =>
        error instanceof McpError &&
        error.code === -32003 &&
        error.message.includes('Access denied by rule "admin-tools"') &&
        error.message.includes('These tools are for administrators.'),
    );
    // The session and its child are still there for what the user may use.
    const echoed = await client.callTool({ name: 'echo', arguments: { text: 'still here' } });
    assert.deepEqual(echoed.content, [{ type: 'text', text: 'still here' }]);
    await client.close();
  });
});
