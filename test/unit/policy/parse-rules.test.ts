import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAccessRules, parseRulesDocument, parseSignInRules } from '../../../src/policy/index.ts';

describe('validating access rules', () => {
  it('reads the documented shapes: a whole server, named items, when and unless, claims', () => {
    const { value, problems } = parseAccessRules([
      { id: 'contractors-no-deploy', deny: 'server', when: { groups: ['contractors'] } },
      { id: 'finance-payments', deny: { tools: ['payments_*'] }, unless: { groups: 'finance' } },
      {
        id: 'readonly-docs',
        allow: { tools: ['docs_read*'], prompts: ['summary'], resources: ['docs://*'] },
        when: { claim: { name: 'department', equals: 'support' } },
        description: '  Support reads the docs.  ',
      },
    ]);
    assert.deepEqual(problems, []);
    assert.deepEqual(value, [
      {
        id: 'contractors-no-deploy',
        effect: 'deny',
        target: { kind: 'server' },
        when: { groups: ['contractors'] },
      },
      {
        id: 'finance-payments',
        effect: 'deny',
        target: { kind: 'items', patterns: { tools: ['payments_*'] } },
        unless: { groups: ['finance'] },
      },
      {
        id: 'readonly-docs',
        effect: 'allow',
        target: {
          kind: 'items',
          patterns: { tools: ['docs_read*'], prompts: ['summary'], resources: ['docs://*'] },
        },
        when: { claims: [{ name: 'department', in: ['support'] }] },
        description: 'Support reads the docs.',
      },
    ]);
  });

  it('treats an absent or null list as no rules', () => {
    assert.deepEqual(parseAccessRules(undefined), { value: [], problems: [] });
    assert.deepEqual(parseAccessRules(null), { value: [], problems: [] });
  });

  it('normalises emails and domains to lower case, and drops a leading @ from a domain', () => {
    const { value, problems } = parseAccessRules([
      { id: 'a', deny: 'server', unless: { email: ['Alice@Example.COM'], emailDomain: ['@Example.com'] } },
    ]);
    assert.deepEqual(problems, []);
    assert.deepEqual(value[0]?.unless, { email: ['alice@example.com'], emailDomain: ['example.com'] });
  });

  it('reports every problem at once, each with its field path under the given prefix', () => {
    const { problems } = parseAccessRules(
      [
        { id: 'ok', deny: 'server' },
        { deny: 'server' },
        { id: 'two', allow: 'server', deny: 'server' },
        { id: 'bad id!', deny: { tool: ['x'] } },
        { id: 'empty', deny: { tools: [] }, when: {} },
        { id: 'ok', deny: 'server', when: { groups: [''], emailDomain: ['not a domain'] } },
        'not a rule',
        { id: 'typo', deny: { tools: ['x'] }, when: { group: ['a'] }, if: {} },
      ],
      'servers[1].access',
    );
    assert.deepEqual(problems, [
      'servers[1].access[1].id: must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
      'servers[1].access[2]: must have exactly one of allow or deny',
      'servers[1].access[3].id: must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
      'servers[1].access[3].deny.tool: unknown field (did you mean tools?); expected one of tools, prompts, resources',
      'servers[1].access[4].deny.tools: must not be empty (an empty list matches nothing)',
      'servers[1].access[4].when: names no condition; leave it out to apply the rule to everyone',
      'servers[1].access[5].when.groups[0]: must be a non-empty string',
      'servers[1].access[5].when.emailDomain[0]: must be a domain such as example.com (matched exactly, subdomains are not included)',
      'servers[1].access[6]: must be a mapping with an id and allow or deny',
      'servers[1].access[7].if: unknown field (write when); expected one of id, allow, deny, when, unless, description',
      'servers[1].access[7].when.group: unknown field (did you mean groups?); expected one of groups, roles, email, emailDomain, claim, anyOf',
      'servers[1].access[7].when: names no condition; leave it out to apply the rule to everyone',
    ]);
  });

  it('reports a duplicate id, naming the rule that has it first', () => {
    const { value, problems } = parseAccessRules([
      { id: 'same', deny: 'server' },
      { id: 'same', deny: { tools: ['x'] } },
    ]);
    assert.deepEqual(problems, [
      'access[1].id: "same" is already the id of access[0]; ids name decisions, so they must be unique',
    ]);
    assert.equal(value.length, 1);
  });

  it('explains the targets that belong elsewhere: true, resourceTemplates, a list instead of a mapping', () => {
    const { problems } = parseAccessRules([
      { id: 'a', deny: true },
      { id: 'b', deny: { resourceTemplates: ['x://{y}'] } },
      { id: 'c', allow: ['tools'] },
      { id: 'd', deny: {} },
    ]);
    assert.deepEqual(problems, [
      'access[0].deny: write server for the whole server, or name tools, prompts or resources ("true" is for sign-in rules)',
      'access[1].deny.resourceTemplates: unknown field (resource patterns also match URI templates: list them under resources); expected one of tools, prompts, resources',
      'access[2].allow: must be server, or a mapping of tools, prompts and/or resources to name patterns',
      'access[3].deny: names nothing: give tools, prompts and/or resources',
    ]);
  });

  it('checks claim tests: a name, exactly one test, and values of the right type', () => {
    const { value, problems } = parseAccessRules([
      {
        id: 'claims',
        deny: 'server',
        when: {
          claim: [
            { name: 'department', in: ['support', 7, true] },
            { name: 'realm_access.roles', present: false },
          ],
        },
      },
      { id: 'no-name', deny: 'server', when: { claim: { in: ['x'] } } },
      { id: 'two-tests', deny: 'server', when: { claim: { name: 'a', in: ['x'], present: true } } },
      { id: 'bad-in', deny: 'server', when: { claim: { name: 'a', in: [{ nested: 1 }] } } },
      { id: 'bad-present', deny: 'server', when: { claim: { name: 'a', present: 'yes' } } },
      { id: 'bad-equals', deny: 'server', when: { claim: { name: 'a', equals: null } } },
    ]);
    assert.deepEqual(value[0]?.when, {
      claims: [
        { name: 'department', in: ['support', 7, true] },
        { name: 'realm_access.roles', present: false },
      ],
    });
    assert.deepEqual(problems, [
      'access[1].when.claim.name: must name the claim (a dotted path such as realm_access.roles works too)',
      'access[2].when.claim: must have exactly one of in, equals or present',
      'access[3].when.claim.in: must be a non-empty list of strings, numbers or booleans',
      'access[4].when.claim.present: must be true or false',
      'access[5].when.claim.equals: must be a string, number or boolean',
    ]);
  });

  it('reads anyOf, and reports problems inside it by index', () => {
    const { value, problems } = parseAccessRules([
      { id: 'either', deny: 'server', unless: { anyOf: [{ groups: ['a'] }, { email: ['b@example.com'] }] } },
      { id: 'broken', deny: 'server', unless: { anyOf: [{ email: ['nobody'] }] } },
      { id: 'empty', deny: 'server', unless: { anyOf: [] } },
    ]);
    assert.deepEqual(value[0]?.unless, { anyOf: [{ groups: ['a'] }, { email: ['b@example.com'] }] });
    assert.deepEqual(problems, [
      'access[1].unless.anyOf[0].email[0]: must be an email address (local@domain)',
      'access[2].unless.anyOf: must be a non-empty list of conditions',
    ]);
  });

  it('refuses a value that is not a list', () => {
    assert.deepEqual(parseAccessRules({ id: 'a' }).problems, ['access: must be a list of rules']);
  });
});

describe('validating sign-in rules', () => {
  it('reads deny: true and allow: true with conditions', () => {
    const { value, problems } = parseSignInRules([
      { id: 'staff-only', deny: true, unless: { emailDomain: ['example.com'] }, description: 'Staff only.' },
      { id: 'admins', allow: true, when: { roles: ['admin'] } },
    ]);
    assert.deepEqual(problems, []);
    assert.deepEqual(value, [
      {
        id: 'staff-only',
        effect: 'deny',
        unless: { emailDomain: ['example.com'] },
        description: 'Staff only.',
      },
      { id: 'admins', effect: 'allow', when: { roles: ['admin'] } },
    ]);
  });

  it('refuses a target, and false', () => {
    const { problems } = parseSignInRules([
      { id: 'a', deny: 'server' },
      { id: 'b', deny: false },
    ]);
    assert.deepEqual(problems, [
      "signIn[0].deny: a sign-in rule has no target; write deny: true (servers, tools, prompts and resources belong in a server's access rules)",
      'signIn[1].deny: must be true (leave the rule out to switch it off)',
    ]);
  });
});

describe('validating a rules document (one environment variable)', () => {
  it('reads signIn and access together, with unprefixed paths by default', () => {
    const { value, problems } = parseRulesDocument({
      signIn: [{ id: 's', deny: true, unless: { emailDomain: 'example.com' } }],
      access: [{ id: 'a', deny: { tools: 'x' } }],
      extra: 1,
    });
    assert.equal(value.signIn.length, 1);
    assert.equal(value.access.length, 1);
    assert.deepEqual(problems, ['extra: unknown field; expected signIn or access']);
  });

  it('prefixes paths when asked, and refuses a value that is not a mapping', () => {
    assert.deepEqual(parseRulesDocument({ access: [{ id: 'a' }] }, 'rules').problems, [
      'rules.access[0]: must have exactly one of allow or deny',
    ]);
    assert.deepEqual(parseRulesDocument([]).problems, [
      '(top level): must be a mapping with signIn and/or access',
    ]);
    assert.deepEqual(parseRulesDocument(undefined), { value: { signIn: [], access: [] }, problems: [] });
  });
});
