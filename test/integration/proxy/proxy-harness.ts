import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createMcpProxy, type McpProxy } from '../../../src/proxy/index.ts';
import {
  createAdmission,
  type AdmissionOptions,
  type UpstreamTokenSource,
  type VerifiedAccess,
} from '../../../src/admission/index.ts';
import { createRequestContext } from '../../../src/http-kit/request-context.ts';
import type { Clock } from '../../../src/shared/clock.ts';
import { OAuthError } from '../../../src/oauth/oauth-error.ts';
import { DependencyUnavailableError } from '../../../src/http-kit/dependency-unavailable-error.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import {
  startMcpFixtureServer,
  type McpFixtureServer,
  type McpFixtureServerOptions,
} from '../../support/mcp-fixture-server.ts';

/**
 * The proxy mounted on a plain node:http server in front of the MCP fixture
 * server, with in-test fakes of the two ports other teams implement
 * (token verification and the upstream token vault).
 */

export const BASE_URL = 'https://proxy.example.test';
export const CLIENT_TOKEN = 'client-token-alice';
export const OTHER_CLIENT_TOKEN = 'client-token-bob';
export const IDP_TOKEN = 'idp-token-alice-1';
export const USER_ID_HEADER = 'X-Heroku-User-Id';

export const ALICE: VerifiedAccess = {
  grantId: 'grant-alice',
  accountId: 'account-alice',
  clientId: 'client-inspector',
  scopes: ['openid', 'global'],
  expiresAtSeconds: Math.floor(Date.now() / 1000) + 3600,
  resource: 'http://127.0.0.1/mcp',
};
export const BOB: VerifiedAccess = { ...ALICE, grantId: 'grant-bob', accountId: 'account-bob' };

/** rotate-unsaved: returns a new token but current() keeps serving the old one, so every request is refused once. */
export type RefreshBehaviour = 'rotate' | 'rotate-unsaved' | 'refuse' | 'unavailable';

/** A fake vault: IdP tokens per grant, refresh outcome chosen by the test, calls recorded. */
export interface FakeUpstreamTokens extends UpstreamTokenSource {
  readonly tokens: Map<string, string>;
  readonly refreshCalls: { grantId: string; rejectedToken: string }[];
  refreshBehaviour: RefreshBehaviour;
}

export function createFakeUpstreamTokens(): FakeUpstreamTokens {
  const tokens = new Map([
    [ALICE.grantId, IDP_TOKEN],
    [BOB.grantId, 'idp-token-bob-1'],
  ]);
  const fake: FakeUpstreamTokens = {
    tokens,
    refreshCalls: [],
    refreshBehaviour: 'rotate',
    current: (grantId) => Promise.resolve(tokens.get(grantId)),
    refresh(grantId, rejectedToken) {
      fake.refreshCalls.push({ grantId, rejectedToken });
      if (fake.refreshBehaviour === 'refuse') {
        tokens.delete(grantId);
        return Promise.reject(new OAuthError('invalid_grant', 'refresh token revoked'));
      }
      if (fake.refreshBehaviour === 'unavailable') {
        return Promise.reject(new DependencyUnavailableError('identity_provider', 'IdP timed out'));
      }
      const next = `${rejectedToken}-refreshed`;
      if (fake.refreshBehaviour === 'rotate') tokens.set(grantId, next);
      return Promise.resolve(next);
    },
  };
  return fake;
}

export interface ProxyHarnessOptions {
  readonly fixture?: Omit<McpFixtureServerOptions, 'port' | 'host'>;
  /** Replaces the fixture's URL as MCP_SERVER_URL (e.g. to add a query or point at a dead port). */
  readonly mcpServerUrl?: (fixtureUrl: string) => string;
  readonly proxy?: Partial<
    Pick<
      AdmissionOptions,
      'maxBodyBytes' | 'rateLimiter' | 'isUpstreamAvailable' | 'verifyAccessToken' | 'accessRules'
    > & {
      readonly clock: Clock;
    }
  >;
}

export interface ProxyHarness {
  readonly fixture: McpFixtureServer;
  /** The proxy's MCP endpoint, e.g. `http://127.0.0.1:5678/mcp`. */
  readonly url: string;
  readonly upstreamTokens: FakeUpstreamTokens;
  readonly proxy: McpProxy;
  /** Every log line the proxy wrote, parsed. */
  readonly logLines: Record<string, unknown>[];
  readonly rawLog: () => string;
  close(): Promise<void>;
}

export async function startProxyHarness(options: ProxyHarnessOptions = {}): Promise<ProxyHarness> {
  const fixture = await startMcpFixtureServer(options.fixture ?? { stateful: true });
  const upstreamTokens = createFakeUpstreamTokens();
  const logChunks: string[] = [];
  const logger = createLogger({
    level: 'info',
    appName: 'proxy-test',
    environment: 'test',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logChunks.push(chunk.toString('utf8'));
        callback();
      },
    }),
  });
  const mcpUrl = new URL(options.mcpServerUrl?.(fixture.url) ?? fixture.url);
  const accessByToken = new Map([
    [CLIENT_TOKEN, ALICE],
    [OTHER_CLIENT_TOKEN, BOB],
  ]);
  const { clock = { nowMs: () => Date.now() }, ...admissionOverrides } = options.proxy ?? {};
  // The admission the composition root builds for a server, here for the one at /mcp.
  const admission = createAdmission({
    guarded: {
      server: 'default',
      resource: ALICE.resource,
      resourceMetadataUrl: `${BASE_URL}/.well-known/oauth-protected-resource/mcp`,
      challengeScopes: ['openid', 'global'],
    },
    verifyAccessToken: (token) => Promise.resolve(accessByToken.get(token)),
    upstreamTokens,
    maxBodyBytes: 4 * 1024 * 1024,
    logger,
    ...admissionOverrides,
  });
  const proxy = createMcpProxy({
    mcpServer: { url: mcpUrl, path: '/mcp' },
    admission,
    upstreamTokens,
    userIdHeader: USER_ID_HEADER,
    logger,
    clock,
  });
  // The edge decides each request's context (request id, path, start time) before the proxy runs.
  const server: Server = createServer(
    (req, res) => void proxy.handle(req, res, createRequestContext(req, clock)),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  const parsedLines = (): Record<string, unknown>[] =>
    logChunks
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  return {
    fixture,
    url: `http://127.0.0.1:${port}/mcp`,
    upstreamTokens,
    proxy,
    get logLines() {
      return parsedLines();
    },
    rawLog: () => logChunks.join(''),
    async close() {
      await proxy.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fixture.close();
    },
  };
}

/** Headers a Streamable HTTP client sends on a POST (MCP transports §2.1). */
export const MCP_POST_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
} as const;

export const bearer = (token: string): { authorization: string } => ({ authorization: `Bearer ${token}` });

export const initializeRequest = (id = 1): string =>
  JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 'raw-test', version: '1' },
    },
  });
