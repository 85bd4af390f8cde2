// A stand-in MCP server: logs on both streams, listens on PORT after
// LISTEN_DELAY_MS, exits with ?code=N on GET /exit, and ends cleanly (code 0) on SIGTERM.
// While the file named by BROKEN_WHILE_FILE_EXISTS exists it fails at start (code 4).
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';

const port = Number(process.env['PORT']);
const delayMs = Number(process.env['LISTEN_DELAY_MS'] ?? '0');
const brokenWhile = process.env['BROKEN_WHILE_FILE_EXISTS'];

if (brokenWhile !== undefined && existsSync(brokenWhile)) {
  process.stderr.write('fixture broken: cannot start\n');
  process.exit(4);
}

process.stdout.write(`fixture starting pid=${process.pid}\n`);
process.stderr.write('fixture warming up\n');

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/exit') {
    response.end('bye');
    process.exit(Number(url.searchParams.get('code') ?? '0'));
  }
  response.end('ok');
});

setTimeout(() => {
  server.listen(port, '127.0.0.1', () => process.stdout.write(`listening on ${port}\n`));
}, delayMs);

process.on('SIGTERM', () => {
  process.stdout.write('received SIGTERM\n');
  server.close();
  process.exit(0);
});
