import { parseArgs } from 'node:util';
import { ACCESS_CACHE_TTL_MS } from '../access-cache/index.ts';
import {
  announceGrantsRevoked,
  findGrant,
  listGrants,
  revokeGrant,
  type GrantRecord,
} from '../grants/index.ts';
import { openCliAuditTrail } from './cli-audit-trail.ts';
import type { CliCommand } from './command.ts';
import { EXIT_FAILURE, EXIT_OK } from './exit-codes.ts';
import { isoFromSeconds, renderTable } from './output.ts';
import { atMostPositionals, parseOrUsage } from './parse-command-args.ts';
import { withConfiguredStore } from './store/open-configured-store.ts';
import { UsageError } from './usage-error.ts';

const grantJson = (grant: GrantRecord) => ({
  grantId: grant.grantId,
  accountId: grant.accountId ?? null,
  clientId: grant.clientId ?? null,
  scopes: grant.scopes,
  expiresAt: grant.expiresAtSeconds === undefined ? null : isoFromSeconds(grant.expiresAtSeconds),
});

export const grantsListCommand: CliCommand = {
  name: 'grants list',
  summary: "List the grants: which user's access each client holds.",
  usage: 'grants list [--user <accountId>] [--client <clientId>] [--json]',
  description:
    'Reads the grants from the configured store, as `serve` would open it: grant id, the user (account id at the\nidentity provider), the client, the scopes and when the grant expires.',
  options: [
    { flag: '--user <accountId>', description: "Only this user's grants." },
    { flag: '--client <clientId>', description: "Only this client's grants." },
    { flag: '--json', description: 'Print a JSON array.' },
  ],
  async run(args, io) {
    const { values, positionals } = parseOrUsage('grants list', () =>
      parseArgs({
        args: [...args],
        options: { user: { type: 'string' }, client: { type: 'string' }, json: { type: 'boolean' } },
        allowPositionals: true,
      }),
    );
    atMostPositionals('grants list', positionals, 0);
    return withConfiguredStore(io, async (store) => {
      const grants = await listGrants(store, { accountId: values.user, clientId: values.client });
      if (values.json === true) {
        io.stdout.write(JSON.stringify(grants.map(grantJson), null, 2) + '\n');
      } else if (grants.length === 0) {
        io.stdout.write('No grants.\n');
      } else {
        io.stdout.write(
          renderTable(
            ['GRANT ID', 'USER', 'CLIENT', 'EXPIRES', 'SCOPES'],
            grants.map((grant) => [
              grant.grantId,
              grant.accountId ?? '-',
              grant.clientId ?? '-',
              isoFromSeconds(grant.expiresAtSeconds),
              grant.scopes.join(' '),
            ]),
          ),
        );
      }
      return EXIT_OK;
    });
  },
};

export const grantsRevokeCommand: CliCommand = {
  name: 'grants revoke',
  summary: "Revoke grants: their tokens stop working at once and the user's IdP tokens are deleted.",
  usage: 'grants revoke <grantId> | --user <accountId> | --client <clientId> [--json]',
  description: [
    'Deletes each chosen grant, every access and refresh token issued under it, and the identity-provider tokens',
    'kept for it, then tells running instances (Redis pub/sub, or the SQLite revision key they poll) so they',
    'stop accepting those tokens within a second. The client must send its user through sign-in again.',
    'Exactly one of a grant id, --user or --client chooses the grants. Exit 1 when a grant id names no grant.',
  ].join('\n'),
  options: [
    { flag: '--user <accountId>', description: 'Revoke every grant of this user.' },
    { flag: '--client <clientId>', description: 'Revoke every grant of this client.' },
    { flag: '--json', description: 'Print the revoked grants as a JSON array.' },
  ],
  async run(args, io) {
    const { values, positionals } = parseOrUsage('grants revoke', () =>
      parseArgs({
        args: [...args],
        options: { user: { type: 'string' }, client: { type: 'string' }, json: { type: 'boolean' } },
        allowPositionals: true,
      }),
    );
    atMostPositionals('grants revoke', positionals, 1);
    const [grantId] = positionals;
    const chosen = [grantId, values.user, values.client].filter((value) => value !== undefined);
    if (chosen.length !== 1) {
      throw new UsageError(
        'give exactly one of <grantId>, --user <accountId> or --client <clientId>',
        'grants revoke',
      );
    }
    return withConfiguredStore(io, async (store, config) => {
      const grants =
        grantId === undefined
          ? await listGrants(store, { accountId: values.user, clientId: values.client })
          : [await findGrant(store, grantId)].filter((grant) => grant !== undefined);
      if (grantId !== undefined && grants.length === 0) {
        io.stderr.write(
          `No grant ${grantId}: nothing was revoked. \`mcp-auth-proxy grants list\` shows the grants.\n`,
        );
        return EXIT_FAILURE;
      }
      const audit = await openCliAuditTrail(io, config, store);
      try {
        for (const grant of grants) {
          if (!(await revokeGrant(store, grant.grantId))) continue;
          audit?.observe({
            type: 'grant.revoked',
            by: 'operator',
            grantId: grant.grantId,
            accountId: grant.accountId,
            clientId: grant.clientId,
            request: undefined,
          });
        }
      } finally {
        await audit?.close();
      }
      const ids = grants.map((grant) => grant.grantId);
      if (ids.length > 0 && !(await announceGrantsRevoked(store, config.store, ids))) {
        io.stderr.write(
          `warning: the grants are revoked in the store, but running instances could not be told; they may accept their tokens for up to ${ACCESS_CACHE_TTL_MS / 1000} s more.\n`,
        );
      }
      if (values.json === true) {
        io.stdout.write(JSON.stringify(grants.map(grantJson), null, 2) + '\n');
      } else if (grants.length === 0) {
        io.stdout.write('No grants matched; nothing was revoked.\n');
      } else {
        for (const grant of grants) {
          io.stdout.write(
            `Revoked grant ${grant.grantId} (user ${grant.accountId ?? '-'}, client ${grant.clientId ?? '-'})\n`,
          );
        }
      }
      return EXIT_OK;
    });
  },
};
