// A stubborn server: listens on PORT and ignores SIGTERM, so only SIGKILL ends it.
import { createServer } from 'node:http';

const port = Number(process.env['PORT']);
process.on('SIGTERM', () => process.stdout.write('ignoring SIGTERM\n'));
createServer((_request, response) => response.end('ok')).listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening on ${port}\n`);
});
