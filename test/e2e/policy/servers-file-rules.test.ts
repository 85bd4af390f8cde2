/**
 * Access rules per server in the servers file: one sign-in, two servers, and each decides with its own
 * rules; a server without rules serves every user everything, as before.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeIdp, type FakeIdp } from '../../support/fake-idp.ts';
import { startMcpFixtureServer, type McpFixtureServer } from '../../support/mcp-fixture-server.ts';
import { startTestProxy, type MultiServerTestProxy } from '../../support/test-proxy.ts';
import { connectMcp, logIn, type LoggedIn } from '../proxy/proxy-steps.ts';
import { EXTRA_TOOLS, USERS } from './policy-steps.ts';

describe('access rules per server in the servers file', () => {
  let idp: FakeIdp;
  let mcp: McpFixtureServer;
  let proxy: MultiServerTestProxy;
  const users: Record<string, LoggedIn> = {};

  before(async () => {
    idp = await startFakeIdp({ mode: 'oidc' });
    for (const [username, claims] of Object.entries(USERS)) idp.userClaims.set(username, claims);
    mcp = await startMcpFixtureServer({
      stateful: true,
      tools: EXTRA_TOOLS,
      validateToken: (bearer) => {
        const user = idp.userForAccessToken(bearer);
        return user === undefined ? undefined : { user };
      },
    });
    proxy = await startTestProxy({
      idp,
      serversFile: {
        signIn: [{ id: 'staff-only', deny: true, unless: { emailDomain: ['example.com'] } }],
        servers: [
          {
            id: 'pay',
            path: '/pay/mcp',
            url: mcp.url,
            access: [{ id: 'finance-only', allow: 'server', when: { groups: ['finance'] } }],
          },
          { id: 'docs', path: '/docs/mcp', url: mcp.url },
        ],
      },
    });
    for (const [name, server] of [
      ['alice-pay', 'pay'],
      ['bob-pay', 'pay'],
      ['bob-docs', 'docs'],
    ] as const) {
      users[name] = await logIn(proxy.urlOf(server), name.split('-')[0]!);
    }
  });
  after(async () => {
    await proxy.close();
    await mcp.close();
    await idp.close();
  });

  it("lets only the server's own allow-list of users in", async () => {
    const { client } = await connectMcp(proxy.urlOf('pay'), users['alice-pay']!.oauth);
    assert.ok((await client.listTools()).tools.some((tool) => tool.name === 'payments_send'));
    await client.close();
    await assert.rejects(
      connectMcp(proxy.urlOf('pay'), users['bob-pay']!.oauth),
      (error: unknown) =>
        (error as { code?: number }).code === 403 &&
        /"error":"access_denied".*rule \\"finance-only\\"/.test(String(error)),
    );
  });

  it('leaves a server without rules open to every signed-in user, with every tool', async () => {
    const { client } = await connectMcp(proxy.urlOf('docs'), users['bob-docs']!.oauth);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    assert.ok(EXTRA_TOOLS.every((name) => names.includes(name)));
    await client.close();
  });
});
