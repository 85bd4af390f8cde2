// The proxy's process lifecycle in miniature, run as a real process by the
// lifecycle tests: supervise the spawn-grandchild fixture, serve HTTP (with an
// endless /stream), drain on SIGTERM/SIGINT. Usage: supervised-proxy.ts <mode> <childPort>
//   serve            the normal case
//   exit-with-child  MCP_SERVER_EXIT_WITH_CHILD: exit with the child's status
//   abrupt           SIGHUP makes it call process.exit(7) without stopping anything
// Prints one JSON line on stdout once ready: {"port":…,"childPid":…}. Logs go to stderr.
import { once } from 'node:events';
import { createServer } from 'node:http';
import { installGracefulShutdown } from '../../../src/http/graceful-shutdown.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import { createSupervisor } from '../../../src/supervisor/index.ts';
import { fixtureRun } from './fixture-command.ts';

const [mode = 'serve', childPort = ''] = process.argv.slice(2);
const logger = createLogger({
  level: 'info',
  appName: 'lifecycle',
  environment: 'test',
  destination: process.stderr,
});

const server = createServer((request, response) => {
  if (request.url === '/stream') {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write('data: hello\n\n');
    return;
  }
  response.end(supervisor.isRunning() ? 'up' : 'down');
});
const shutdown = installGracefulShutdown({
  server,
  graceMs: 300,
  logger,
  onShutdown: () => supervisor.stop(500),
});
const supervisor = createSupervisor({
  run: fixtureRun('spawn-grandchild', { PORT: childPort }, { exitWithChild: mode === 'exit-with-child' }),
  baseEnv: {},
  probeUrl: new URL(`http://127.0.0.1:${childPort}/mcp`),
  logger,
  probeIntervalMs: 20,
  onExit: (code) => void shutdown.shutdown('mcp-server-exited', code),
});
if (mode === 'abrupt') process.on('SIGHUP', () => process.exit(7));

await supervisor.start();
server.listen(0, '127.0.0.1');
await once(server, 'listening');

const { port } = server.address() as { port: number };
process.stdout.write(`${JSON.stringify({ port, childPid: supervisor.pid() })}\n`);
