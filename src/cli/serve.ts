import type { CliCommand } from './command.ts';
import { atMostPositionals } from './parse-command-args.ts';
import { UsageError } from './usage-error.ts';

/** `serve`, the default command. The app is loaded only when it runs, so `--help` and `--version` stay quick. */
export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Run the proxy (the default when no command is given).',
  usage: 'serve',
  description: [
    'Reads the environment and the .env file in the working directory, starts the authorization server,',
    'the login bridge and the MCP proxy, and runs until SIGTERM or SIGINT (open requests may finish within',
    'MCP_AUTH_PROXY_SHUTDOWN_GRACE_MS). With MCP_AUTH_PROXY_VERIFY_RELEASE=true it starts, checks every',
    'dependency and exits 0 (release phase).',
  ].join('\n'),
  options: [],
  async run(args, io) {
    const flag = args.find((arg) => arg.startsWith('-'));
    if (flag !== undefined) throw new UsageError(`unknown option ${JSON.stringify(flag)}`, 'serve');
    atMostPositionals('serve', args, 0);

    const { serveProxy } = await import('./serve-proxy.ts');
    return await serveProxy(io);
  },
};
