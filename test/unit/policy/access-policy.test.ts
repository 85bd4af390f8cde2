import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { policyOf, signInPolicyOf, user } from './policy-fixtures.ts';

const alice = user({ email: 'alice@example.com', groups: ['finance', 'staff'], roles: ['approver'] });
const bob = user({ email: 'bob@contractor.example', groups: ['contractors'], department: 'support' }, 'bob');

describe('compiling access rules', () => {
  it('allows everything, at no cost, when there are no rules', () => {
    const policy = policyOf([]);
    assert.equal(policy.empty, true);
    const access = policy.forIdentity(alice);
    assert.equal(access.restricted, false);
    assert.equal(access.restricts('tools'), false);
    assert.deepEqual(access.mayUseServer(), { allowed: true });
    assert.deepEqual(access.may('tools', 'anything'), { allowed: true });
    assert.equal(policy.forIdentity(undefined), access, 'one shared answer');
  });

  it('denies the whole server to the users a rule applies to, naming the rule', () => {
    const policy = policyOf([
      {
        id: 'contractors-no-deploy',
        deny: 'server',
        when: { groups: ['contractors'] },
        description: 'Contractors use the docs server.',
      },
    ]);
    const denied = policy.forIdentity(bob);
    assert.deepEqual(denied.mayUseServer(), {
      allowed: false,
      rule: 'contractors-no-deploy',
      reason: 'denied',
      description: 'Contractors use the docs server.',
    });
    assert.equal(denied.may('tools', 'deploy').allowed, false, 'nothing on a refused server');
    assert.equal(denied.restricts('prompts'), true);
    assert.equal(policy.forIdentity(alice).mayUseServer().allowed, true);
    assert.equal(policy.forIdentity(alice).restricted, false, 'a rule that does not apply costs nothing');
  });

  it('makes the server an allow-list of users with allow: server', () => {
    const policy = policyOf([{ id: 'staff-only', allow: 'server', when: { groups: ['staff'] } }]);
    assert.deepEqual(policy.forIdentity(alice).mayUseServer(), { allowed: true, rule: 'staff-only' });
    assert.deepEqual(policy.forIdentity(bob).mayUseServer(), {
      allowed: false,
      rule: 'staff-only',
      reason: 'not-allowed',
    });
  });

  it('lets deny override allow, for the server and for items', () => {
    const policy = policyOf([
      { id: 'everyone-allowed', allow: 'server' },
      { id: 'no-finance', deny: 'server', when: { groups: ['finance'] } },
      { id: 'read-tools', allow: { tools: ['read_*'] } },
      { id: 'no-secret-reads', deny: { tools: ['read_secret*'] } },
    ]);
    assert.deepEqual(policy.forIdentity(alice).mayUseServer(), {
      allowed: false,
      rule: 'no-finance',
      reason: 'denied',
    });
    const access = policy.forIdentity(bob);
    assert.deepEqual(access.may('tools', 'read_docs'), { allowed: true, rule: 'read-tools' });
    assert.deepEqual(access.may('tools', 'read_secret_keys'), {
      allowed: false,
      rule: 'no-secret-reads',
      reason: 'denied',
    });
  });

  it('denies items by pattern unless the user is in a group', () => {
    const policy = policyOf([
      { id: 'finance-payments', deny: { tools: ['payments_*'] }, unless: { groups: ['finance'] } },
    ]);
    assert.equal(policy.forIdentity(alice).may('tools', 'payments_send').allowed, true);
    assert.deepEqual(policy.forIdentity(bob).may('tools', 'payments_send'), {
      allowed: false,
      rule: 'finance-payments',
      reason: 'denied',
    });
    assert.equal(policy.forIdentity(bob).may('tools', 'docs_search').allowed, true);
    assert.equal(policy.forIdentity(bob).may('prompts', 'payments_send').allowed, true, 'kinds are apart');
    assert.equal(policy.forIdentity(bob).restricts('prompts'), false);
  });

  it('makes a kind an allow-list for everyone once an allow rule names it, with the union of what applies', () => {
    const policy = policyOf([
      {
        id: 'support-reads',
        allow: { tools: ['docs_read*'] },
        when: { claim: { name: 'department', in: ['support'] } },
      },
      { id: 'staff-search', allow: { tools: ['docs_search'] }, when: { groups: ['staff'] } },
    ]);
    const support = policy.forIdentity(bob);
    assert.deepEqual(support.may('tools', 'docs_read_page'), { allowed: true, rule: 'support-reads' });
    assert.deepEqual(support.may('tools', 'docs_search'), {
      allowed: false,
      rule: 'support-reads',
      reason: 'not-allowed',
    });
    assert.equal(support.may('prompts', 'anything').allowed, true, 'prompts are not on an allow-list');
    const staff = policy.forIdentity(alice);
    assert.equal(staff.may('tools', 'docs_search').allowed, true);
    assert.equal(staff.may('tools', 'docs_read_page').allowed, false);
    const both = policy.forIdentity(user({ groups: ['staff'], department: 'support' }));
    assert.equal(both.may('tools', 'docs_search').allowed, true);
    assert.equal(both.may('tools', 'docs_read_page').allowed, true);
    const neither = policy.forIdentity(user());
    assert.equal(neither.may('tools', 'docs_search').allowed, false, 'an allow-list fails closed');
    assert.equal(neither.restricts('tools'), true);
  });

  it('writes "everyone else keeps everything" as a second allow rule', () => {
    const support = { claim: { name: 'department', in: ['support'] } };
    const policy = policyOf([
      { id: 'support-read-only', allow: { tools: ['docs_read*'] }, when: support },
      { id: 'others-everything', allow: { tools: ['*'] }, unless: support },
    ]);
    assert.equal(policy.forIdentity(bob).may('tools', 'docs_write').allowed, false);
    assert.deepEqual(policy.forIdentity(alice).may('tools', 'docs_write'), {
      allowed: true,
      rule: 'others-everything',
    });
  });

  it('matches resources by URI and resource templates by their URI template, with the same patterns', () => {
    const access = policyOf([{ id: 'no-secrets', deny: { resources: ['secret://*'] } }]).forIdentity(alice);
    assert.equal(access.may('resources', 'secret://keys/1').allowed, false);
    assert.equal(access.may('resources', 'secret://{id}').allowed, false);
    assert.equal(access.may('resources', 'docs://a.md').allowed, true);
  });
});

describe('name patterns', () => {
  const matches = (pattern: string, name: string) =>
    !policyOf([{ id: 'p', deny: { tools: [pattern] } }])
      .forIdentity(alice)
      .may('tools', name).allowed;

  it('matches exact names, prefixes, suffixes, infixes and several stars', () => {
    assert.ok(matches('echo', 'echo'));
    assert.ok(!matches('echo', 'echo2'));
    assert.ok(matches('pay_*', 'pay_'));
    assert.ok(matches('pay_*', 'pay_send'));
    assert.ok(!matches('pay_*', 'xpay_send'));
    assert.ok(matches('*_admin', 'users_admin'));
    assert.ok(!matches('*_admin', 'users_admin2'));
    assert.ok(matches('a*b*c', 'a-x-b-y-c'));
    assert.ok(!matches('a*b*c', 'a-x-c'));
    assert.ok(matches('**', ''));
    assert.ok(matches('*', 'anything/at all'));
  });

  it('lets a star span slashes and line breaks, and takes every other character literally', () => {
    assert.ok(matches('file:///logs/*', 'file:///logs/2024/01.txt'));
    assert.ok(matches('a*z', 'a\nz'));
    assert.ok(matches('a.b(c)*[d]', 'a.b(c)-[d]'));
    assert.ok(!matches('a.b*', 'axb'));
    assert.ok(matches('x*y$^|+?', 'x-y$^|+?'));
  });

  it('is case-sensitive, as MCP names are', () => {
    assert.ok(!matches('Echo', 'echo'));
    assert.ok(!matches('PAY_*', 'pay_send'));
  });
});

describe('conditions', () => {
  const applies = (condition: unknown, identity = alice) =>
    !policyOf([{ id: 'c', deny: 'server', when: condition }])
      .forIdentity(identity)
      .mayUseServer().allowed;

  it('tests groups, roles, email and email domain, any member of a list', () => {
    assert.ok(applies({ groups: ['nobody', 'finance'] }));
    assert.ok(!applies({ groups: ['Finance'] }), 'group names are compared exactly');
    assert.ok(applies({ roles: ['approver'] }));
    assert.ok(!applies({ roles: ['finance'] }), 'groups are not roles');
    assert.ok(applies({ email: ['ALICE@example.com'] }));
    assert.ok(applies({ emailDomain: ['example.com'] }));
    assert.ok(!applies({ emailDomain: ['example.com'] }, bob));
    assert.ok(!applies({ emailDomain: ['contractor.example'] }, user({ email: 'x@sub.contractor.example' })));
  });

  it('tests a claim: in, equals (as text), present and absent, nested by a dotted path', () => {
    const carol = user({
      department: 'Customer Support',
      level: 7,
      realm_access: { roles: ['ops'] },
      empty: [],
    });
    assert.ok(applies({ claim: { name: 'department', equals: 'Customer Support' } }, carol));
    assert.ok(!applies({ claim: { name: 'department', in: ['Support'] } }, carol), 'whole values');
    assert.ok(applies({ claim: { name: 'level', in: ['7'] } }, carol));
    assert.ok(applies({ claim: { name: 'level', equals: 7 } }, carol));
    assert.ok(applies({ claim: { name: 'realm_access.roles', in: ['ops'] } }, carol));
    assert.ok(applies({ claim: { name: 'department', present: true } }, carol));
    assert.ok(applies({ claim: { name: 'missing', present: false } }, carol));
    assert.ok(applies({ claim: { name: 'empty', present: false } }, carol), 'an empty list is absent');
    assert.ok(!applies({ claim: { name: 'realm_access', in: ['ops'] } }, carol), 'objects match no value');
  });

  it('needs every field of a condition, and one of anyOf', () => {
    assert.ok(applies({ groups: ['finance'], emailDomain: ['example.com'] }));
    assert.ok(!applies({ groups: ['finance'], emailDomain: ['other.example'] }));
    assert.ok(applies({ anyOf: [{ groups: ['nobody'] }, { emailDomain: ['example.com'] }] }));
    assert.ok(!applies({ anyOf: [{ groups: ['nobody'] }, { roles: ['nobody'] }] }));
  });

  it('applies a rule when its when holds and its unless does not', () => {
    const policy = policyOf([
      { id: 'r', deny: 'server', when: { groups: ['staff'] }, unless: { roles: ['approver'] } },
    ]);
    assert.equal(policy.forIdentity(alice).mayUseServer().allowed, true);
    assert.equal(policy.forIdentity(user({ groups: ['staff'] })).mayUseServer().allowed, false);
    assert.equal(policy.forIdentity(user()).mayUseServer().allowed, true);
  });

  it('holds no condition for a grant without an identity: deny-unless denies, deny-when does not', () => {
    const policy = policyOf([
      { id: 'staff-only', deny: { tools: ['*'] }, unless: { groups: ['staff'] } },
      { id: 'no-contractors', deny: 'server', when: { groups: ['contractors'] } },
    ]);
    const access = policy.forIdentity(undefined);
    assert.equal(access.mayUseServer().allowed, true);
    assert.deepEqual(access.may('tools', 'x'), { allowed: false, rule: 'staff-only', reason: 'denied' });
  });
});

describe('caching per user', () => {
  it('answers from the same object for the same identity, and afresh under a new policy', () => {
    const rules = [{ id: 'r', deny: { tools: ['x'] }, when: { groups: ['finance'] } }];
    const first = policyOf(rules);
    assert.equal(first.forIdentity(alice), first.forIdentity(alice));
    const changed = policyOf([{ id: 'r2', deny: { tools: ['y'] }, when: { groups: ['finance'] } }]);
    assert.equal(first.forIdentity(alice).may('tools', 'y').allowed, true);
    assert.equal(changed.forIdentity(alice).may('tools', 'y').allowed, false, 'a rule change shows at once');
  });
});

describe('sign-in rules', () => {
  it('allows everyone without rules', () => {
    const policy = signInPolicyOf(undefined);
    assert.equal(policy.empty, true);
    assert.deepEqual(policy.decide(bob), { allowed: true });
  });

  it('stops users outside the allowed domain, naming the rule and its description', () => {
    const policy = signInPolicyOf([
      { id: 'staff-only', deny: true, unless: { emailDomain: ['example.com'] }, description: 'Staff only.' },
    ]);
    assert.deepEqual(policy.decide(alice), { allowed: true });
    assert.deepEqual(policy.decide(bob), {
      allowed: false,
      rule: 'staff-only',
      reason: 'denied',
      description: 'Staff only.',
    });
    assert.equal(policy.decide(user()).allowed, false, 'no email, no pass');
  });

  it('lets only the users an allow rule applies to sign in, and deny overrides', () => {
    const policy = signInPolicyOf([
      { id: 'staff', allow: true, when: { groups: ['staff'] } },
      { id: 'contractors', allow: true, when: { groups: ['contractors'] } },
      { id: 'blocked', deny: true, when: { email: ['bob@contractor.example'] } },
    ]);
    assert.deepEqual(policy.decide(alice), { allowed: true, rule: 'staff' });
    assert.deepEqual(policy.decide(bob), { allowed: false, rule: 'blocked', reason: 'denied' });
    assert.deepEqual(policy.decide(user()), { allowed: false, rule: 'staff', reason: 'not-allowed' });
  });
});
