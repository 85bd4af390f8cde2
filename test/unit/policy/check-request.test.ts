import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ACCESS_DENIED_CODE,
  denialAnswer,
  denialOf,
  denialsIn,
  denialText,
  type JsonRpcErrorResponse,
} from '../../../src/policy/index.ts';
import { policyOf, user } from './policy-fixtures.ts';

const bob = user({ groups: ['contractors'] });
const access = policyOf([
  {
    id: 'finance-payments',
    deny: { tools: ['payments_*'] },
    unless: { groups: ['finance'] },
    description: 'Ask the finance team.',
  },
  { id: 'no-secrets', deny: { prompts: ['secret_*'], resources: ['secret://*'] } },
]).forIdentity(bob);

const call = (id: number | undefined, method: string, params: unknown) => ({
  jsonrpc: '2.0',
  ...(id === undefined ? {} : { id }),
  method,
  params,
});

describe('checking a request against the rules', () => {
  it('refuses the methods that use a denied tool, prompt or resource, naming the rule', () => {
    const refused = (message: unknown) => denialOf(access, message)?.decision.rule;
    assert.equal(
      refused(call(1, 'tools/call', { name: 'payments_send', arguments: {} })),
      'finance-payments',
    );
    assert.equal(refused(call(1, 'prompts/get', { name: 'secret_plan' })), 'no-secrets');
    assert.equal(refused(call(1, 'resources/read', { uri: 'secret://keys' })), 'no-secrets');
    assert.equal(refused(call(1, 'resources/subscribe', { uri: 'secret://keys' })), 'no-secrets');
    assert.equal(
      refused(call(1, 'completion/complete', { ref: { type: 'ref/prompt', name: 'secret_plan' } })),
      'no-secrets',
    );
    assert.equal(
      refused(call(1, 'completion/complete', { ref: { type: 'ref/resource', uri: 'secret://{id}' } })),
      'no-secrets',
    );
  });

  it('lets through what the rules allow, unsubscribing, and every other method', () => {
    const passes = (message: unknown) => denialOf(access, message) === undefined;
    assert.ok(passes(call(1, 'tools/call', { name: 'docs_search' })));
    assert.ok(passes(call(1, 'resources/unsubscribe', { uri: 'secret://keys' })));
    assert.ok(passes(call(1, 'tools/list', {})));
    assert.ok(passes(call(1, 'initialize', {})));
    assert.ok(passes({ jsonrpc: '2.0', id: 1, result: {} }));
    assert.ok(passes('not a message'));
    const finance = policyOf([{ id: 'r', deny: { tools: ['*'] }, unless: { groups: ['finance'] } }]);
    const free = finance.forIdentity(user({ groups: ['finance'] }));
    assert.ok(denialOf(free, call(1, 'tools/call', { name: 'payments_send' })) === undefined);
  });

  it('checks a call that names nothing as the empty name', () => {
    const allowList = policyOf([{ id: 'only-docs', allow: { tools: ['docs_*'] } }]).forIdentity(bob);
    assert.deepEqual(denialOf(allowList, call(7, 'tools/call', {})), {
      id: 7,
      method: 'tools/call',
      item: { kind: 'tools', name: '' },
      decision: { allowed: false, rule: 'only-docs', reason: 'not-allowed' },
    });
  });

  it('refuses every request and notification when the whole server is refused', () => {
    const closed = policyOf([
      { id: 'closed', deny: 'server', when: { groups: ['contractors'] } },
    ]).forIdentity(bob);
    assert.equal(denialOf(closed, call(1, 'initialize', {}))?.decision.rule, 'closed');
    assert.equal(denialOf(closed, call(undefined, 'notifications/initialized', {}))?.id, undefined);
    assert.equal(denialOf(closed, call(1, 'tools/call', { name: 'x' }))?.item, undefined);
  });

  it('checks each message of a batch', () => {
    const denials = denialsIn(access, [
      call(1, 'tools/call', { name: 'payments_send' }),
      call(2, 'tools/call', { name: 'docs_search' }),
      call(3, 'prompts/get', { name: 'secret_plan' }),
    ]);
    assert.deepEqual(
      denials.map((denial) => [denial.id, denial.decision.rule]),
      [
        [1, 'finance-payments'],
        [3, 'no-secrets'],
      ],
    );
    assert.deepEqual(denialsIn(access, [call(2, 'tools/call', { name: 'docs_search' })]), []);
  });
});

describe('answering a refused request', () => {
  it('answers one request with a JSON-RPC error that names the rule, and its description', () => {
    const message = call(1, 'tools/call', { name: 'payments_send' });
    assert.deepEqual(denialAnswer(message, denialsIn(access, message)), {
      jsonrpc: '2.0',
      id: 1,
      error: {
        code: ACCESS_DENIED_CODE,
        message:
          'Access denied by rule "finance-payments": you may not use tool "payments_send". Ask the finance team.',
        data: { rule: 'finance-payments', reason: 'denied' },
      },
    });
  });

  it('refuses a batch whole: the denied requests with their rule, the others as not processed', () => {
    const batch = [
      call(1, 'tools/call', { name: 'docs_search' }),
      call(2, 'prompts/get', { name: 'secret_plan' }),
      call(undefined, 'notifications/progress', {}),
      call(3, 'tools/call', { name: 'payments_send' }),
    ];
    const answer = denialAnswer(batch, denialsIn(access, batch)) as JsonRpcErrorResponse[];
    assert.deepEqual(
      answer.map((error) => [error.id, error.error.data.rule, error.error.data.reason]),
      [
        [1, 'no-secrets', 'batch'],
        [2, 'no-secrets', 'denied'],
        [3, 'finance-payments', 'denied'],
      ],
    );
    assert.match(answer[0]!.error.message, /^Access denied by rule "no-secrets": not processed/);
  });

  it('has nothing to answer for notifications alone, or without denials', () => {
    const notification = call(undefined, 'tools/call', { name: 'payments_send' });
    assert.equal(denialAnswer(notification, denialsIn(access, notification)), undefined);
    assert.equal(denialAnswer([notification], denialsIn(access, [notification])), undefined);
    assert.equal(denialAnswer(call(1, 'tools/list', {}), []), undefined);
  });

  it('words the other refusals: not on an allow-list, a whole server, sign-in', () => {
    const decision = { allowed: false, rule: 'r', reason: 'not-allowed' } as const;
    assert.equal(
      denialText(decision, { kind: 'item', item: { kind: 'resources', name: 'docs://a' } }),
      'Access denied by rule "r": resource "docs://a" is not on the allow-list for resources.',
    );
    assert.equal(
      denialText(decision, { kind: 'server' }),
      'Access denied by rule "r": this server is open only to the users its allow rules name.',
    );
    assert.equal(
      denialText({ ...decision, reason: 'denied' }, { kind: 'server' }),
      'Access denied by rule "r": you may not use this server.',
    );
    assert.equal(
      denialText({ ...decision, description: 'Staff only.' }, { kind: 'sign-in' }),
      'Sign-in refused by rule "r". Staff only.',
    );
  });
});
