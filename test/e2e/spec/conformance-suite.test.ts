/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance`,
 * pinned pre-release) run against the proxy's authorization server, once per
 * spec revision, with the login done headlessly: the suite prints the
 * authorization URL and waits for the browser at its own loopback callback,
 * so the test plays the browser (our UserAgent) and delivers the callback.
 *
 * Its server scenarios (initialize, tools, `dns-rebinding-protection`…)
 * expect an MCP server without authentication and would meet our 401; they
 * belong to the MCP server behind the proxy. Our Origin/Host behaviour is
 * proven in origin-validation.test.ts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../support/free-port.ts';
import { registerClient } from '../../support/raw-oauth.ts';
import { loginInBrowser } from '../../support/sdk-oauth-client.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';

const CONFORMANCE_CLI = fileURLToPath(
  new URL('../../../node_modules/@modelcontextprotocol/conformance/dist/index.js', import.meta.url),
);
const REVISIONS = ['2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28'] as const;

interface Check {
  readonly id: string;
  readonly status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'SKIPPED' | 'INFO';
  readonly errorMessage?: string;
}

async function checksUnder(dir: string): Promise<Check[]> {
  const checks: Check[] = [];
  for (const entry of await readdir(dir, { recursive: true })) {
    if (entry.endsWith('checks.json')) {
      checks.push(...(JSON.parse(await readFile(join(dir, entry), 'utf8')) as Check[]));
    }
  }
  return checks;
}

/** Runs the suite's authorization-server scenarios, logging in when it asks; returns exit code, checks and output. */
async function runConformance(
  proxy: TestProxy,
  specVersion: string,
): Promise<{ exitCode: number | null; checks: Check[]; output: string }> {
  const callbackPort = await freePort();
  const redirectUri = `http://127.0.0.1:${callbackPort}/callback`;
  const client = await registerClient(proxy.baseUrl, {
    client_name: 'MCP conformance suite',
    redirect_uris: [redirectUri],
  });
  const outputDir = await mkdtemp(join(tmpdir(), 'conformance-'));
  try {
    const child = spawn(
      process.execPath,
      [
        CONFORMANCE_CLI,
        'authorization',
        '--url',
        proxy.baseUrl,
        '--client-id',
        client.client_id,
        '--resource',
        proxy.mcpUrl,
        '--port',
        String(callbackPort),
        '--spec-version',
        specVersion,
        '--output-dir',
        outputDir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const logins: Promise<void>[] = [];
    for await (const line of createInterface({ input: child.stdout })) {
      output += `${line}\n`;
      if (!line.startsWith(`${proxy.baseUrl}/auth?`)) continue;
      logins.push(
        (async () => {
          const login = await loginInBrowser(new UserAgent(), new URL(line), redirectUri, {
            username: 'alice',
          });
          // The browser arrives at the suite's callback server with code, state and iss.
          await (await fetch(login.callback)).arrayBuffer();
        })(),
      );
    }
    await Promise.all(logins);
    const exitCode = await new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.once('exit', (code) => resolve(code));
    });
    return { exitCode, checks: await checksUnder(outputDir), output };
  } finally {
    await rm(outputDir, { recursive: true, force: true });
  }
}

describe('the MCP conformance suite, authorization-server scenarios', () => {
  let proxy: TestProxy;
  before(async () => {
    proxy = await startTestProxy();
  });
  after(async () => {
    await proxy.close();
  });

  for (const revision of REVISIONS) {
    // req: A4.2, A4.3, A4.6, A6.3, A6.8, A7.2
    it(`passes authorization-server-metadata-endpoint and authorization-code-grant at ${revision}`, async () => {
      const { exitCode, checks, output } = await runConformance(proxy, revision);
      const ids = checks.map((check) => `${check.id}:${check.status}`);
      assert.equal(exitCode, 0, output);
      assert.deepEqual(
        checks.filter((check) => check.status === 'FAILURE' || check.status === 'WARNING'),
        [],
        ids.join(', '),
      );
      assert.ok(ids.includes('authorization-server-metadata:SUCCESS'), ids.join(', '));
      assert.ok(ids.includes('authorization-code-grant:SUCCESS'), ids.join(', '));
    });
  }
});
