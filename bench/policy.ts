/**
 * What the access rules cost per decision (issue 15): `node bench/policy.ts`.
 *
 * Times each step the admission pipeline would run, in-process, with a small
 * realistic rule set and with none: the per-request check (a remembered
 * UserAccess and one `may`), the per-grant work (conditions evaluated for a
 * new identity), a request check on a parsed body, and the filtering of a
 * 50-tool `tools/list` answer as JSON and as SSE. Each figure is the median
 * of several rounds, in nanoseconds per operation. Nothing here asserts a
 * time: the unit tests never do (docs/benchmarks.md).
 */
import { once } from 'node:events';
import { loadavg } from 'node:os';
import {
  compileAccessPolicy,
  createSseListFilter,
  denialsIn,
  filterListBody,
  identityFromClaims,
  parseAccessRules,
  type AccessPolicy,
  type Identity,
} from '../src/policy/index.ts';

const ROUNDS = 7;

const RULES = [
  { id: 'contractors-no-deploy', deny: 'server', when: { groups: ['contractors'] } },
  { id: 'finance-payments', deny: { tools: ['payments_*'] }, unless: { groups: ['finance'] } },
  { id: 'no-admin', deny: { tools: ['*_admin', 'drop_table', 'a*b*c'] }, unless: { roles: ['admin'] } },
  { id: 'secrets', deny: { resources: ['secret://*'], prompts: ['leak_*'] } },
  {
    id: 'support-reads',
    allow: { tools: ['docs_read*', 'search'] },
    when: { claim: { name: 'department', in: ['support'] } },
  },
  { id: 'others-all', allow: { tools: ['*'] }, unless: { claim: { name: 'department', in: ['support'] } } },
  { id: 'staff-domain', deny: 'server', unless: { emailDomain: ['example.com', 'example.org'] } },
];

function compile(rules: unknown): AccessPolicy {
  const { value, problems } = parseAccessRules(rules);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return compileAccessPolicy(value);
}

const identityOf = (accountId: string): Identity =>
  identityFromClaims({
    accountId,
    idTokenClaims: {
      sub: accountId,
      email: `${accountId}@example.com`,
      groups: ['staff', 'engineering', 'everyone'],
      roles: ['reader'],
      department: 'engineering',
    },
  });

/** Median ns per operation of `operation`, run `count` times per round. */
function measure(count: number, operation: (index: number) => unknown): number {
  const perRound: number[] = [];
  let sink: unknown;
  for (let round = 0; round < ROUNDS + 1; round += 1) {
    const started = process.hrtime.bigint();
    for (let index = 0; index < count; index += 1) sink = operation(index);
    const elapsed = Number(process.hrtime.bigint() - started);
    if (round > 0) perRound.push(elapsed / count); // the first round warms the JIT up
  }
  if (sink === Symbol.for('never')) console.log('unreachable');
  return perRound.sort((a, b) => a - b)[Math.floor(perRound.length / 2)]!;
}

async function measureAsync(count: number, operation: () => Promise<unknown>): Promise<number> {
  const perRound: number[] = [];
  for (let round = 0; round < ROUNDS + 1; round += 1) {
    const started = process.hrtime.bigint();
    for (let index = 0; index < count; index += 1) await operation();
    if (round > 0) perRound.push(Number(process.hrtime.bigint() - started) / count);
  }
  return perRound.sort((a, b) => a - b)[Math.floor(perRound.length / 2)]!;
}

const TOOL_NAMES = Array.from({ length: 50 }, (_, index) =>
  index % 10 === 0 ? `payments_${index}` : index % 7 === 0 ? `x_admin${index}` : `tool_${index}`,
);
const TOOLS_ANSWER = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  result: {
    tools: TOOL_NAMES.map((name) => ({
      name,
      description: `The ${name} tool`,
      inputSchema: { type: 'object' },
    })),
    nextCursor: 'page-2',
  },
});

async function main(): Promise<void> {
  const policy = compile(RULES);
  const empty = compile([]);
  const user = identityOf('alice');
  const access = policy.forIdentity(user);
  const names = ['payments_send', 'docs_read_page', 'users_admin', 'a-x-b-y-c', 'echo', 'search'];
  const call = {
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'payments_send', arguments: {} },
  };
  const requests = new Map([[1, 'tools/list' as const]]);
  const body = Buffer.from(TOOLS_ANSWER);
  const sse = Buffer.from(`id: 1\nevent: message\ndata: ${TOOLS_ANSWER}\n\n`);
  // One identity per operation across all rounds: each is new to the policy, as a new grant is.
  const identities = Array.from({ length: 200_000 }, (_, index) => identityOf(`user-${index}`));
  let fresh = 0;

  const rows: [string, number][] = [
    [
      'no rules: forIdentity + may',
      measure(1_000_000, (i) => empty.forIdentity(user).may('tools', names[i % 6]!)),
    ],
    [
      'rules: forIdentity (remembered) + mayUseServer',
      measure(1_000_000, () => policy.forIdentity(user).mayUseServer()),
    ],
    [
      'rules: forIdentity (remembered) + may (6 names mixed)',
      measure(1_000_000, (i) => policy.forIdentity(user).may('tools', names[i % 6]!)),
    ],
    ['rules: may, exact-name deny (drop_table)', measure(1_000_000, () => access.may('tools', 'drop_table'))],
    [
      'rules: may, prefix deny (payments_send)',
      measure(1_000_000, () => access.may('tools', 'payments_send')),
    ],
    ['rules: may, regex deny (a-x-b-y-c)', measure(1_000_000, () => access.may('tools', 'a-x-b-y-c'))],
    [
      'rules: forIdentity for a new grant (conditions evaluated)',
      measure(identities.length / (ROUNDS + 1), () => policy.forIdentity(identities[fresh++])),
    ],
    ['rules: denialsIn(parsed tools/call)', measure(1_000_000, () => denialsIn(access, call))],
    [
      'no rules: denialsIn(parsed tools/call)',
      measure(1_000_000, () => denialsIn(empty.forIdentity(user), call)),
    ],
    [
      'rules: filterListBody, 50 tools (JSON parse + stringify)',
      measure(5_000, () => filterListBody(body, access, requests)),
    ],
    [
      'rules: SSE filter, one 50-tool event',
      await measureAsync(2_000, async () => {
        const filter = createSseListFilter(access, requests);
        filter.resume();
        filter.end(sse);
        await once(filter, 'end');
      }),
    ],
  ];

  console.log(
    `Access rules: ${RULES.length} rules, median of ${ROUNDS} rounds (Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)})\n`,
  );
  console.log('| Operation | ns per operation |');
  console.log('| --- | ---: |');
  for (const [name, nanoseconds] of rows)
    console.log(`| ${name} | ${nanoseconds.toFixed(nanoseconds < 100 ? 1 : 0)} |`);
}

await main();
