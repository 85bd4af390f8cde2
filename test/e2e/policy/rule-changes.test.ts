/**
 * An operator changes the rules file while the proxy runs: valid rules apply from the next request,
 * for users already connected; a broken file is reported and the rules in force stay.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { connectMcp, eventually, logIn, type LoggedIn, type McpConnection } from '../proxy/proxy-steps.ts';
import { RULES, startPolicyProxy, type PolicyProxy } from './policy-steps.ts';

const CHANGED_RULES = `
access:
  - id: docs-frozen
    deny: { tools: [docs_read] }
    description: The docs are being migrated.
`;

const toolNames = async ({ client }: McpConnection) =>
  (await client.listTools()).tools.map((tool) => tool.name);

describe('a change of the rules file', () => {
  let setup: PolicyProxy;
  let bob: LoggedIn;
  let connection: McpConnection;

  before(async () => {
    setup = await startPolicyProxy();
    bob = await logIn(setup.proxy.mcpUrl, 'bob');
    connection = await connectMcp(setup.proxy.mcpUrl, bob.oauth);
  });
  after(async () => {
    await connection.client.close();
    await setup.close();
  });

  it('applies from the next request, in a session opened under the old rules', async () => {
    assert.ok(!(await toolNames(connection)).includes('payments_send'));
    await setup.writeRules(CHANGED_RULES);
    const tools = await eventually('the changed rules apply', async () => {
      const names = await toolNames(connection);
      return names.includes('payments_send') ? names : undefined;
    });
    assert.ok(!tools.includes('docs_read'));
    await assert.rejects(
      connection.client.callTool({ name: 'docs_read', arguments: {} }),
      (error: unknown) => error instanceof McpError && error.message.includes('rule "docs-frozen"'),
    );
    assert.ok(setup.proxy.logs.some((line) => line['event'] === 'access_rules.reloaded'));
  });

  it('keeps the rules in force when the changed file is broken, and says why', async () => {
    await setup.writeRules(RULES.replace('deny: { tools:', 'deny: { tool:'));
    const failure = await eventually('the broken file is reported', () =>
      setup.proxy.logs.find((line) => line['event'] === 'access_rules.reload_failed'),
    );
    assert.match(String((failure['problems'] as string[])[0]), /access\[1\]\.deny\.tool: /);
    const names = await toolNames(connection);
    assert.ok(names.includes('payments_send') && !names.includes('docs_read'), 'docs-frozen still applies');
  });
});
