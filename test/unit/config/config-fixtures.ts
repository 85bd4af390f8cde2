import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { JWK } from 'jose';
import {
  loadConfig,
  type Config,
  type ConfigProblem,
  type McpServerConfig,
} from '../../../src/config/index.ts';

/** The smallest environment that loads: the four variables without a default. */
export const MINIMAL_ENV: Readonly<Record<string, string>> = {
  BASE_URL: 'https://mcp.example.com',
  MCP_SERVER_URL: 'http://127.0.0.1:3001/mcp',
  IDENTITY_SERVER_URL: 'https://id.example.com',
  IDENTITY_CLIENT_ID: 'client-123',
};

/** A working directory of its own, removed when the test ends. */
export function temporaryDirectory(t: TestContext): string {
  const directory = mkdtempSync(join(tmpdir(), 'mcp-auth-proxy-config-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

export function loadOk(
  env: Readonly<Record<string, string | undefined>>,
  cwd = '/srv/app',
): { config: Config; warnings: readonly string[] } {
  const result = loadConfig(env, { cwd });
  if (!result.ok)
    assert.fail(`expected a valid configuration, got:\n${result.problems.map((p) => p.message).join('\n')}`);
  return result;
}

/** The MCP server section of an MCP_SERVER_TRANSPORT=http configuration (the default). */
export function httpMcpServer(config: Config): McpServerConfig {
  assert.equal(config.servers[0].transport, 'http');
  return config.servers[0];
}

export function loadProblems(
  env: Readonly<Record<string, string | undefined>>,
  cwd = '/srv/app',
): readonly ConfigProblem[] {
  const result = loadConfig(env, { cwd });
  if (result.ok) assert.fail('expected problems, but the configuration loaded');
  return result.problems;
}

/** The single problem about `variable`, failing when there is none or several. */
export function problemFor(problems: readonly ConfigProblem[], variable: string): ConfigProblem {
  const matching = problems.filter((problem) => problem.variable === variable);
  assert.equal(
    matching.length,
    1,
    `expected one problem for ${variable}, got ${JSON.stringify(problems, null, 2)}`,
  );
  return matching[0]!;
}

export function privateJwk(kind: 'ed25519' | 'ec' | 'rsa', kid?: string): JWK {
  const { privateKey } =
    kind === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : kind === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  return kid === undefined ? jwk : { ...jwk, kid };
}
