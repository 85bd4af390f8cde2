import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explain, type PolicySet } from '../../../src/policy/index.ts';
import { policyOf, signInPolicyOf, user } from './policy-fixtures.ts';

const policies: PolicySet = {
  signIn: signInPolicyOf([{ id: 'staff-only', deny: true, unless: { emailDomain: ['example.com'] } }]),
  servers: new Map([
    [
      'tickets',
      policyOf([
        { id: 'contractors-no-tickets', deny: 'server', when: { groups: ['contractors'] } },
        { id: 'finance-payments', deny: { tools: ['payments_*'] }, unless: { groups: ['finance'] } },
        {
          id: 'support-reads',
          allow: { tools: ['docs_read*', 'payments_*'] },
          when: { claim: { name: 'department', in: ['support'] } },
        },
        {
          id: 'others-everything',
          allow: { tools: ['*'] },
          unless: { claim: { name: 'department', in: ['support'] } },
        },
      ]),
    ],
    ['docs', policyOf([])],
  ]),
};

const alice = user({ email: 'alice@example.com', groups: ['staff'], department: 'support' }, 'alice');

describe('explaining a decision', () => {
  it('traces sign-in, the server and one tool, with each rule and why it did or did not apply', () => {
    const { decision, lines } = explain(policies, alice, {
      server: 'tickets',
      item: { kind: 'tools', name: 'payments_send' },
    });
    assert.deepEqual(decision, { allowed: false, rule: 'finance-payments', reason: 'denied' });
    assert.deepEqual(lines, [
      'User alice: email alice@example.com; groups staff; no roles',
      'Sign-in: allowed',
      '  - staff-only: deny sign-in unless emailDomain in [example.com] -> does not apply (unless holds)',
      'Server tickets: allowed',
      '  - contractors-no-tickets: deny server when groups in [contractors] -> does not apply (when does not hold)',
      'Tool "payments_send": denied by rule finance-payments',
      '  - finance-payments: deny tools [payments_*] unless groups in [finance] -> applies, names "payments_send": denies',
      '  - support-reads: allow tools [docs_read*, payments_*] when claim department in [support] -> applies, names "payments_send": allows',
      '  - others-everything: allow tools [*] unless claim department in [support] -> does not apply (unless holds)',
    ]);
  });

  it('names the allow-list rule when nothing allows an item', () => {
    const { decision, lines } = explain(policies, alice, {
      server: 'tickets',
      item: { kind: 'tools', name: 'deploy' },
    });
    assert.deepEqual(decision, { allowed: false, rule: 'support-reads', reason: 'not-allowed' });
    assert.equal(
      lines[5],
      'Tool "deploy": not allowed: no allow rule applies; first allow rule support-reads',
    );
    assert.equal(
      lines[7],
      '  - support-reads: allow tools [docs_read*, payments_*] when claim department in [support] -> applies, does not name "deploy"',
    );
  });

  it('stops at the first refusal: sign-in before the server', () => {
    const outsider = user({ email: 'eve@elsewhere.example', groups: ['contractors'] }, 'eve');
    const { decision, lines } = explain(policies, outsider, { server: 'tickets' });
    assert.equal(decision.allowed ? undefined : decision.rule, 'staff-only');
    assert.equal(lines[1], 'Sign-in: denied by rule staff-only');
    assert.equal(lines[3], 'Server tickets: denied by rule contractors-no-tickets');
  });

  it('says when a server has no rules, or does not exist', () => {
    assert.deepEqual(explain(policies, alice, { server: 'docs' }).lines.slice(3), [
      'Server docs: allowed',
      '  (no rules)',
    ]);
    assert.equal(
      explain(policies, alice, { server: 'nope' }).lines[3],
      'Server nope: unknown (servers: tickets, docs)',
    );
  });

  it('shows a grant without a kept identity', () => {
    const { lines } = explain(policies, user({}, ''));
    assert.equal(lines[0], 'User (no identity kept with the grant): no email; no groups; no roles');
  });
});
