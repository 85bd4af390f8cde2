// A server that starts a helper process of its own (as `npm start` or `sh -c` do).
// The grandchild ignores SIGTERM and shares our stdout/stderr, the worst case for
// a supervisor: only a SIGKILL to the whole process group ends it. It announces
// itself with `grandchild-ready pid=N` once its SIGTERM handler is in place.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';

const port = Number(process.env['PORT']);
spawn(
  process.execPath,
  [
    '-e',
    "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log(`grandchild-ready pid=${process.pid}`);",
  ],
  { stdio: 'inherit' },
);

createServer((_request, response) => response.end('ok')).listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening on ${port}\n`);
});
