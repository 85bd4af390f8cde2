import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { compileRules, snapshotOf } from '../../app/live-access-rules.ts';
import type { Config } from '../../config/config.ts';
import { explain, identityFromClaims, type ExplainQuery, type ItemKind } from '../../policy/index.ts';
import type { CliIo } from '../cli-io.ts';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.ts';
import { UsageError } from '../usage-error.ts';

export interface ExplainArguments {
  /** Claims as JSON (`{"email": ..., "groups": [...]}`), or a JSON or YAML file holding them. */
  readonly user?: string | undefined;
  readonly server?: string | undefined;
  readonly tool?: string | undefined;
  readonly prompt?: string | undefined;
  readonly resource?: string | undefined;
  readonly json: boolean;
}

const COMMAND = 'check';

/**
 * `check --explain`: the decision the configured rules make for one user (as
 * the IdP would describe them) on sign-in, a server, and one tool, prompt or
 * resource there, with every rule and why it did or did not apply. The same
 * compiled policies as the running proxy decide. Exit 0 when allowed, 1 when refused.
 */
export function explainAccess(config: Config, args: ExplainArguments, io: CliIo): number {
  const claims = readClaims(args.user, io.cwd);
  const identity = identityFromClaims(
    {
      accountId: typeof claims['sub'] === 'string' ? claims['sub'] : '(claims given)',
      idTokenClaims: claims,
    },
    config.accessRules.identityClaims,
  );
  const serverIds = config.servers.map((server) => server.id);
  const policies = compileRules(snapshotOf(config), serverIds);
  const { decision, lines } = explain(policies, identity, queryOf(args, serverIds));
  if (args.json) {
    io.stdout.write(`${JSON.stringify({ ...decision, lines }, null, 2)}\n`);
  } else {
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  return decision.allowed ? EXIT_OK : EXIT_FAILURE;
}

function readClaims(user: string | undefined, cwd: string): Record<string, unknown> {
  if (user === undefined) {
    throw new UsageError('--explain needs --user: the claims as JSON, or a file holding them', COMMAND);
  }
  let value: unknown;
  try {
    value = user.trimStart().startsWith('{')
      ? JSON.parse(user)
      : parseYaml(readFileSync(resolve(cwd, user), 'utf8'));
  } catch (error) {
    throw new UsageError(
      `--user ${JSON.stringify(user)} could not be read: ${(error as Error).message}`,
      COMMAND,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(
      '--user must hold a JSON or YAML object of claims, e.g. {"email": "a@example.com", "groups": ["staff"]}',
      COMMAND,
    );
  }
  return value as Record<string, unknown>;
}

function queryOf(args: ExplainArguments, serverIds: readonly string[]): ExplainQuery {
  const items = (
    [
      ['tools', args.tool],
      ['prompts', args.prompt],
      ['resources', args.resource],
    ] as const
  ).filter((entry): entry is readonly [ItemKind, string] => entry[1] !== undefined);
  if (items.length > 1) throw new UsageError('give at most one of --tool, --prompt and --resource', COMMAND);
  const [only] = serverIds;
  const server = args.server ?? (items.length > 0 && serverIds.length === 1 ? only : undefined);
  if (server !== undefined && !serverIds.includes(server)) {
    throw new UsageError(
      `--server ${JSON.stringify(server)} is not configured (servers: ${serverIds.join(', ')})`,
      COMMAND,
    );
  }
  if (items.length > 0 && server === undefined) {
    throw new UsageError(
      `--tool, --prompt and --resource need --server (servers: ${serverIds.join(', ')})`,
      COMMAND,
    );
  }
  const [item] = items;
  return {
    ...(server === undefined ? {} : { server }),
    ...(item === undefined ? {} : { item: { kind: item[0], name: item[1] } }),
  };
}
