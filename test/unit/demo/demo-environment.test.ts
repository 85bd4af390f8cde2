import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { loadConfig } from '../../../src/config/index.ts';
import {
  DemoConfigurationError,
  demoProxyEnvironment,
  DevelopmentIdpRefusedError,
  readDemoSettings,
  startDemo,
} from '../../../src/demo/index.ts';
import { silentLogger } from '../../../src/shared/logger.ts';
import { freePort } from '../../support/free-port.ts';

const PARTS = {
  identityProviderUrl: 'http://127.0.0.1:4001',
  clientId: 'mcp-auth-proxy-demo',
  clientSecret: 'secret',
  mcpServerUrl: 'http://127.0.0.1:4002/mcp',
};

async function temporaryDirectory(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-demo-unit-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('demo settings', () => {
  it('run with nothing set: port 3000, LOCAL_INSECURE true, quiet logs', () => {
    assert.deepEqual(readDemoSettings({}, '/tmp'), {
      port: 3000,
      nodeEnv: undefined,
      localInsecure: true,
      localInsecureRaw: 'true',
      logLevel: 'warn',
    });
  });

  it('read LOCAL_INSECURE as the proxy does, so an explicit "no" is honoured', () => {
    assert.equal(readDemoSettings({ LOCAL_INSECURE: 'no' }, '/tmp').localInsecure, false);
    assert.throws(() => readDemoSettings({ LOCAL_INSECURE: 'maybe' }, '/tmp'), DemoConfigurationError);
  });

  it('refuse a PORT the BASE_URL cannot be built from, naming PORT', () => {
    for (const port of ['0', 'abc', '70000']) {
      assert.throws(() => readDemoSettings({ PORT: port }, '/tmp'), /^DemoConfigurationError: PORT must be/);
    }
  });

  it('configure the proxy from the demo parts alone, on SQLite in the working directory', async (t) => {
    const cwd = await temporaryDirectory(t);
    const settings = readDemoSettings({ PORT: '3456', MCP_AUTH_PROXY_REDIS_URL: 'redis://elsewhere' }, cwd);
    const result = loadConfig(demoProxyEnvironment(settings, PARTS), { cwd });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.equal(result.config.baseUrl, 'http://localhost:3456');
    assert.deepEqual(result.config.store, {
      kind: 'sqlite',
      path: join(cwd, '.mcp-auth-proxy', 'demo.sqlite'),
    });
    assert.equal(result.config.localInsecure, true);
    assert.equal(result.config.keys.signingKeys, undefined, 'signing keys are generated into the store');
  });
});

describe('starting the demo', () => {
  for (const [label, environment] of [
    ['NODE_ENV=production', { NODE_ENV: 'production' }],
    ['LOCAL_INSECURE=false', { LOCAL_INSECURE: 'false' }],
  ] as const) {
    it(`is refused with ${label} before anything listens`, async (t) => {
      const cwd = await temporaryDirectory(t);
      const port = await freePort();
      await assert.rejects(
        startDemo({
          environment: { ...environment, PORT: String(port) },
          cwd,
          createLogger: () => silentLogger,
        }),
        DevelopmentIdpRefusedError,
      );
    });
  }
});
