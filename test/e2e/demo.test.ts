/**
 * `npm run demo` as a newcomer runs it: the built package (`dist/`, as after
 * `npm ci`, whose `prepare` builds it) started in an empty directory, then the
 * official MCP SDK client through the whole flow against what it prints.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { ensureBuild, REPO_ROOT } from '../support/ensure-build.ts';
import { freePort } from '../support/free-port.ts';
import { authorizeWithSdk, TestOAuthClient } from '../support/sdk-oauth-client.ts';
import { UserAgent } from '../support/user-agent.ts';

const DEMO_ENTRY = join(REPO_ROOT, 'dist', 'demo', 'run-demo.js');

interface RunningDemo {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly banner: { mcpUrl: string; identityProviderUrl: string; exampleMcpServerUrl: string };
}

/** Resolves once the banner is printed, rejects when the demo exits first. */
async function startDemo(cwd: string, port: number): Promise<RunningDemo> {
  const env: Record<string, string | undefined> = { ...process.env, PORT: String(port), LOG_LEVEL: 'warn' };
  delete env['NODE_ENV'];
  delete env['LOCAL_INSECURE'];
  const child = spawn(process.execPath, [DEMO_ENTRY], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const banner = await new Promise<RunningDemo['banner']>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const mcpUrl = /MCP URL:\s+(\S+)/.exec(stdout)?.[1];
      const identityProviderUrl = /Identity provider:\s+(\S+)/.exec(stdout)?.[1];
      const exampleMcpServerUrl = /Example MCP server:\s+(\S+)/.exec(stdout)?.[1];
      if (stdout.includes('Ctrl+C') && mcpUrl && identityProviderUrl && exampleMcpServerUrl) {
        resolve({ mcpUrl, identityProviderUrl, exampleMcpServerUrl });
      }
    });
    child.once('exit', (code) => reject(new Error(`the demo exited with ${code}:\n${stdout}\n${stderr}`)));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, banner };
}

function acceptsConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname === 'localhost' ? '127.0.0.1' : hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

describe('npm run demo', () => {
  let cwd: string;
  let port: number;
  let demo: RunningDemo | undefined;

  before(async () => {
    await ensureBuild();
    cwd = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-demo-'));
    port = await freePort();
  });

  after(async () => {
    if (demo !== undefined && demo.child.exitCode === null && demo.child.signalCode === null) {
      demo.child.kill('SIGKILL');
      await once(demo.child, 'exit');
    }
    await rm(cwd, { recursive: true, force: true });
  });

  it('is the built entry that npm ci produces', () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    assert.equal(manifest.scripts['demo'], 'node dist/demo/run-demo.js');
    assert.ok(existsSync(DEMO_ENTRY), 'npm run build compiles src/demo into dist/demo');
    assert.ok(existsSync(join(REPO_ROOT, 'dist', 'views', 'templates', '_layout.ejs')), 'views are copied');
  });

  it('prints the MCP URL and the MCP Inspector command, and keeps its data in the working directory', async () => {
    demo = await startDemo(cwd, port);
    assert.equal(demo.banner.mcpUrl, `http://localhost:${port}/mcp`);
    assert.ok(
      demo
        .stdout()
        .includes(
          `npx @modelcontextprotocol/inspector --transport http --server-url http://localhost:${port}/mcp`,
        ),
      demo.stdout(),
    );
    assert.ok(existsSync(join(cwd, '.mcp-auth-proxy', 'demo.sqlite')));
  });

  it('takes the SDK client through discovery, registration, confirmation and the login page', async () => {
    assert.ok(demo !== undefined, 'the demo started');
    const client = new TestOAuthClient();
    const result = await authorizeWithSdk(demo.banner.mcpUrl, client, new UserAgent(), { username: 'alice' });
    assert.equal(result.confirmationShown, true);
    assert.equal(result.callback.searchParams.get('iss'), `http://localhost:${port}`);

    const mcpClient = new Client({ name: 'demo-e2e', version: '1.0.0' });
    await mcpClient.connect(
      new StreamableHTTPClientTransport(new URL(demo.banner.mcpUrl), { authProvider: client }),
    );
    const tools = await mcpClient.listTools();
    assert.deepEqual(tools.tools.map((tool) => tool.name).sort(), [
      'count_words',
      'current_time',
      'echo',
      'slow_count',
      'whoami',
    ]);

    const whoami = await mcpClient.callTool({ name: 'whoami', arguments: {} });
    assert.deepEqual(whoami.content, [{ type: 'text', text: 'You are signed in as alice.' }]);

    const progress: Progress[] = [];
    const counted = await mcpClient.callTool({ name: 'slow_count', arguments: { steps: 3 } }, undefined, {
      onprogress: (update) => progress.push(update),
    });
    assert.deepEqual(counted.content, [{ type: 'text', text: 'Counted to 3.' }]);
    assert.deepEqual(
      progress.map((update) => [update.progress, update.total]),
      [
        [1, 3],
        [2, 3],
        [3, 3],
      ],
    );
    await mcpClient.close();
  });

  it('stops on Ctrl+C with status 0 and leaves nothing running or listening', async () => {
    assert.ok(demo !== undefined, 'the demo started');
    const { child, banner } = demo;
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    child.kill('SIGINT');
    const [code, signal] = await exited;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, demo.stderr());
    assert.match(demo.stdout(), /Demo stopped\./);
    assert.equal(processExists(child.pid!), false);
    for (const url of [banner.mcpUrl, banner.identityProviderUrl, banner.exampleMcpServerUrl]) {
      assert.equal(await acceptsConnections(url), false, `${url} still accepts connections`);
    }
  });
});
