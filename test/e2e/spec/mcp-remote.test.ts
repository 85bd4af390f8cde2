/**
 * mcp-remote (the stdio bridge Claude Desktop, Windsurf and older Cursor use;
 * clients.md §5.6), the real npm package, driven headlessly: it registers,
 * opens the authorization URL through BROWSER (our headless-browser.ts, which
 * completes the login and delivers the callback to mcp-remote's own loopback
 * server), exchanges the code, then serves MCP over stdio through the proxy.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../support/free-port.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';

const MCP_REMOTE = fileURLToPath(new URL('../../../node_modules/mcp-remote/dist/proxy.js', import.meta.url));
const HEADLESS_BROWSER = fileURLToPath(new URL('./headless-browser.ts', import.meta.url));
const ANSWER_TIMEOUT_MS = 60_000;

interface JsonRpcMessage {
  readonly id?: number;
  readonly result?: Record<string, unknown>;
  readonly error?: { message: string };
}

/** JSON-RPC over the child's stdio: one message per line (MCP stdio transport). */
function stdioPeer(child: ChildProcessWithoutNullStreams) {
  const waiting = new Map<number, (message: JsonRpcMessage) => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as JsonRpcMessage;
    if (message.id !== undefined) waiting.get(message.id)?.(message);
  });
  let nextId = 1;
  return {
    notify(method: string, params: Record<string, unknown> = {}) {
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method, params })}\n`);
    },
    request(method: string, params: Record<string, unknown>): Promise<JsonRpcMessage> {
      const id = nextId++;
      const answer = new Promise<JsonRpcMessage>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to ${method}`)), ANSWER_TIMEOUT_MS);
        waiting.set(id, (message) => {
          clearTimeout(timer);
          resolve(message);
        });
      });
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
      return answer;
    },
  };
}

describe('mcp-remote 0.15.1 through the proxy, with a headless browser', () => {
  let proxy: TestProxy;
  let dir: string;
  let child: ChildProcessWithoutNullStreams | undefined;
  let stderr = '';
  before(async () => {
    proxy = await startTestProxy();
    dir = await mkdtemp(join(tmpdir(), 'mcp-remote-'));
  });
  after(async () => {
    child?.kill('SIGTERM');
    await proxy.close();
    await rm(dir, { recursive: true, force: true });
  });

  // req: A1.3, A5.2, A5.3, A6.5, A6.9, A9.9
  it('registers, logs in through BROWSER, and calls a tool over stdio', async () => {
    // xdg-open runs BROWSER with the URL as its one argument: a wrapper fixes the Node and the script.
    const browser = join(dir, 'browser.sh');
    await writeFile(browser, `#!/bin/sh\nexec "${process.execPath}" "${HEADLESS_BROWSER}" "$1"\n`);
    await chmod(browser, 0o755);
    const browserLog = join(dir, 'browser.log');
    const env: Record<string, string> = {};
    for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    child = spawn(process.execPath, [MCP_REMOTE, proxy.mcpUrl, String(await freePort()), '--allow-http'], {
      env: {
        ...env,
        BROWSER: browser,
        HEADLESS_BROWSER_LOG: browserLog,
        HEADLESS_BROWSER_USERNAME: 'alice',
        MCP_REMOTE_CONFIG_DIR: join(dir, 'mcp-auth'),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const peer = stdioPeer(child);

    const initialized = await peer.request('initialize', {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 'stdio-host', version: '1.0.0' },
    });
    assert.ok(initialized.result, `${JSON.stringify(initialized)}\n${stderr}`);
    peer.notify('notifications/initialized');

    const echoed = await peer.request('tools/call', {
      name: 'echo',
      arguments: { text: 'through mcp-remote' },
    });
    assert.match(JSON.stringify(echoed.result), /through mcp-remote/, stderr);
    const whoami = await peer.request('tools/call', { name: 'whoami', arguments: {} });
    assert.match(JSON.stringify(whoami.result), /alice/, 'the MCP server saw the IdP user');

    assert.match(await readFile(browserLog, 'utf8'), /delivered http:\/\/(localhost|127\.0\.0\.1):\d+/);
    const registered = proxy.logs.filter((line) => line.event === 'oauth.client_registered');
    assert.equal(registered.length, 1, 'mcp-remote registered once (RFC 7591)');
    const serverErrors = proxy.logs.filter(
      (line) => line.event === 'oauth.server_error' || line.event === 'http.unhandled_error',
    );
    assert.deepEqual(serverErrors, []);
  });
});
