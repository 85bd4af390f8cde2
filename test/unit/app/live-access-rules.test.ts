import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openAccessRules } from '../../../src/app/live-access-rules.ts';
import { identityFromClaims } from '../../../src/policy/index.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import { loadOk, MINIMAL_ENV, temporaryDirectory } from '../config/config-fixtures.ts';
import { withServersFile, writeFile } from '../config/servers-file-fixtures.ts';

const serversFile = (ticketsRules: string, docs = true) => `
servers:
  - id: tickets
    path: /tickets/mcp
    url: http://127.0.0.1:3001/mcp
    access: ${ticketsRules}
${
  docs
    ? `  - id: docs
    path: /docs/mcp
    url: http://127.0.0.1:3002/mcp
    access: [{ id: docs-staff, allow: server, when: { groups: [staff] } }]
`
    : ''
}`;

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'info',
    appName: 'test',
    environment: 'test',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString('utf8').split('\n'))
          if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    }),
  });
  return { lines, logger };
}

const eventually = async (check: () => boolean) => {
  for (let waited = 0; !check() && waited < 10_000; waited += 25) await sleep(25);
  assert.ok(check());
};

describe('the access rules while the proxy runs', () => {
  const guest = identityFromClaims({ accountId: 'guest', idTokenClaims: { groups: ['guests'] } });

  it('replaces the rules of every server at once when the servers file changes', async (t) => {
    const cwd = temporaryDirectory(t);
    const path = writeFile(cwd, 'servers.yaml', serversFile('[]'));
    const { config } = loadOk(withServersFile('servers.yaml'), cwd);
    const { lines, logger } = capturedLogger();
    const rules = await openAccessRules(config, logger);
    t.after(() => rules.close());
    assert.equal(rules.changeable, true);
    assert.equal(rules.current.servers.get('tickets')?.empty, true);
    const before = rules.current;
    writeFileSync(path, serversFile("[{ id: no-close, deny: { tools: ['close_*'] } }]"));
    await eventually(() => rules.current !== before);
    const tickets = rules.current.servers.get('tickets')?.forIdentity(guest);
    assert.equal(tickets?.may('tools', 'close_ticket').allowed, false);
    assert.equal(rules.current.servers.get('docs')?.forIdentity(guest).mayUseServer().allowed, false);
    assert.ok(lines.some((line) => line['event'] === 'access_rules.reloaded'));
  });

  it('keeps the rules of a server the changed file no longer names, since dropping them would open it', async (t) => {
    const cwd = temporaryDirectory(t);
    const path = writeFile(cwd, 'servers.yaml', serversFile('[]'));
    const { config } = loadOk(withServersFile('servers.yaml'), cwd);
    const { lines, logger } = capturedLogger();
    const rules = await openAccessRules(config, logger);
    t.after(() => rules.close());
    writeFileSync(path, serversFile("[{ id: no-close, deny: { tools: ['close_*'] } }]", false));
    await eventually(() => lines.some((line) => line['event'] === 'access_rules.reloaded'));
    assert.deepEqual(lines.find((line) => line['event'] === 'access_rules.servers_missing')?.['servers'], [
      'docs',
    ]);
    assert.equal(rules.current.servers.get('docs')?.forIdentity(guest).mayUseServer().allowed, false);
  });

  it('watches nothing, and can never change, without a file of rules', async () => {
    const { logger } = capturedLogger();
    const rules = await openAccessRules(loadOk(MINIMAL_ENV).config, logger);
    assert.equal(rules.changeable, false);
    assert.equal(rules.current.inUse, false);
    rules.close();
  });
});
