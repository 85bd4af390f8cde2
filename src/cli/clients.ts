import { parseArgs } from 'node:util';
import type { CliCommand } from './command.ts';
import { EXIT_OK } from './exit-codes.ts';
import { isoFromSeconds, renderTable } from './output.ts';
import { atMostPositionals, parseOrUsage } from './parse-command-args.ts';
import { withConfiguredStore } from './store/open-configured-store.ts';
import { listClients } from '../grants/index.ts';

export const clientsListCommand: CliCommand = {
  name: 'clients list',
  summary: 'List the registered OAuth clients.',
  usage: 'clients list [--json]',
  description:
    'Reads the clients MCP clients registered (RFC 7591) from the configured store, SQLite or Redis, as `serve`\nwould open it: client id, name, redirect URIs and when it registered.',
  options: [{ flag: '--json', description: 'Print a JSON array.' }],
  async run(args, io) {
    const { values, positionals } = parseOrUsage('clients list', () =>
      parseArgs({ args: [...args], options: { json: { type: 'boolean' } }, allowPositionals: true }),
    );
    atMostPositionals('clients list', positionals, 0);
    return withConfiguredStore(io, async (store) => {
      const clients = await listClients(store);
      if (values.json === true) {
        io.stdout.write(
          JSON.stringify(
            clients.map((client) => ({
              clientId: client.clientId,
              name: client.name ?? null,
              redirectUris: client.redirectUris,
              createdAt:
                client.createdAtSeconds === undefined ? null : isoFromSeconds(client.createdAtSeconds),
            })),
            null,
            2,
          ) + '\n',
        );
      } else if (clients.length === 0) {
        io.stdout.write('No registered clients.\n');
      } else {
        io.stdout.write(
          renderTable(
            ['CLIENT ID', 'NAME', 'CREATED', 'REDIRECT URIS'],
            clients.map((client) => [
              client.clientId,
              client.name ?? '-',
              isoFromSeconds(client.createdAtSeconds),
              client.redirectUris.join(' '),
            ]),
          ),
        );
      }
      return EXIT_OK;
    });
  },
};
