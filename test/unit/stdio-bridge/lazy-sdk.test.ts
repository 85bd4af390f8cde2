import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The MCP SDK modules a fresh Node process loads when it imports `entry`. */
async function sdkModulesLoadedBy(entry: string): Promise<string[]> {
  const entryUrl = new URL(entry, import.meta.url).href;
  const script = `
    import { registerHooks } from 'node:module';
    const loaded = [];
    registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
    await import(${JSON.stringify(entryUrl)});
    process.stdout.write(JSON.stringify(loaded.filter((url) => url.includes('/@modelcontextprotocol/sdk/'))));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '--eval', script]);
  return JSON.parse(stdout) as string[];
}

describe('loading the MCP SDK', () => {
  it('never happens in an http deployment: the whole app loads without it', async () => {
    assert.deepEqual(await sdkModulesLoadedBy('../../../src/app/start-app.ts'), []);
  });

  it('happens with the stdio bridge, which create-mcp-endpoint imports only for MCP_SERVER_TRANSPORT=stdio', async () => {
    assert.ok((await sdkModulesLoadedBy('../../../src/stdio-bridge/index.ts')).length > 0);
  });
});
