/**
 * The `signIn:` rules decide once the IdP has said who the user is: a user outside the allowed
 * email domain is stopped at the end of the IdP login, with a page that names the rule, and the
 * client gets access_denied; nobody else notices the rules.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { logIn } from '../proxy/proxy-steps.ts';
import {
  signInUntilRefused,
  startPolicyProxy,
  type PolicyProxy,
  type RefusedSignIn,
} from './policy-steps.ts';

describe('sign-in rules', () => {
  let setup: PolicyProxy;
  let refused: RefusedSignIn;

  before(async () => {
    setup = await startPolicyProxy();
    refused = await signInUntilRefused(setup.proxy.mcpUrl, 'mallory');
  });
  after(async () => {
    await setup.close();
  });

  it('stops a user outside the allowed domain with a 403 page that names the rule and says why', () => {
    assert.equal(refused.status, 403);
    assert.match(refused.html, /<code>staff-only<\/code>/);
    assert.match(refused.html, /This service is for example\.com staff\./);
  });

  it('sends the client access_denied, naming the rule, when the person goes back to it', () => {
    assert.equal(refused.callback.searchParams.get('error'), 'access_denied');
    assert.match(refused.callback.searchParams.get('error_description') ?? '', /rule "staff-only"/);
    assert.equal(refused.callback.searchParams.get('code'), null);
  });

  it('makes no grant and records the refusal with its rule', () => {
    const mine = setup.events.filter((event) => 'accountId' in event && event.accountId === 'uid-mallory');
    assert.deepEqual(
      mine.map((event) => event.type),
      ['signin.refused'],
    );
    assert.equal(mine[0]?.type === 'signin.refused' ? mine[0].rule : undefined, 'staff-only');
  });

  it('lets a user of the allowed domain in, with the email read from userinfo', async () => {
    const alice = await logIn(setup.proxy.mcpUrl, 'alice');
    assert.ok(alice.tokens.access_token.length > 0);
    assert.ok(
      setup.events.some((event) => event.type === 'signin.succeeded' && event.accountId === 'uid-alice'),
    );
  });
});
