import type { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { sendJson } from '../http-kit/respond.ts';
import { Router, type Route } from '../http-kit/router.ts';

export const HEALTH_PATH = '/healthz';
export const READINESS_PATH = '/readyz';

/** How /readyz reaches the MCP server. */
export type McpServerProbe =
  /** An MCP server reached over HTTP: a TCP connect to MCP_SERVER_URL's host and port. */
  | { readonly kind: 'tcp'; readonly url: URL }
  /** A server the supervisor runs (MCP_SERVER_RUN_COMMAND): its own readiness answer. */
  | { readonly kind: 'supervised'; readonly isRunning: () => boolean }
  /** stdio servers are started per MCP session: nothing runs until a client asks. */
  | { readonly kind: 'per-session' };

/** One MCP server as /readyz sees it. */
export interface McpServerCheck {
  /** Its id (`config.servers[].id`): the key of its result under `checks.servers`. */
  readonly id: string;
  readonly probe: McpServerProbe;
}

export interface HealthRoutesOptions {
  readonly store: { ping(): Promise<void> };
  /** Every MCP server, in the configuration's order. */
  readonly mcpServers: readonly McpServerCheck[];
  readonly identityProvider: {
    /** The IdP metadata the login bridge loaded; undefined means logins cannot start. */
    readonly metadata: () => { readonly issuer: string } | undefined;
    /**
     * IDENTITY_SERVER_URL when the metadata came from discovery: /readyz then
     * fetches the discovery document again (cached), to see that the IdP still answers.
     */
    readonly discoveryUrl?: URL | undefined;
  };
  readonly clock: Clock;
  readonly logger: Logger;
  /** The limit on each check (default 2 s), well inside any load balancer's probe timeout. */
  readonly checkTimeoutMs?: number;
  /** How long an IdP discovery result is reused (default 10 s), so /readyz cannot hammer the IdP. */
  readonly identityProviderCacheMs?: number;
}

/** `ok`, or a short reason naming what failed. */
export type CheckResult = 'ok' | 'unavailable' | 'unreachable' | 'not_running' | 'metadata_not_loaded';

export interface ReadinessReport {
  readonly status: 'ready' | 'not_ready';
  readonly checks: {
    readonly store: CheckResult;
    /** The worst of the MCP servers' results (the first that is not `ok`). */
    readonly mcpServer: CheckResult;
    readonly identityProvider: CheckResult;
    /** Each MCP server's own result, by id; present only when there are several servers. */
    readonly servers?: Readonly<Record<string, CheckResult>>;
  };
}

const DEFAULT_CHECK_TIMEOUT_MS = 2_000;
const DEFAULT_IDP_CACHE_MS = 10_000;
/** When a load balancer should ask again (RFC 9110 §10.2.3). */
const RETRY_AFTER_SECONDS = 5;
const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/** True when a TCP connection to the URL's host and port is accepted within the time limit. */
function acceptsConnections(url: URL, timeoutMs: number): Promise<boolean> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? (DEFAULT_PORTS[url.protocol] ?? 80) : Number(url.port);
  return new Promise((resolve) => {
    const socket = new Socket();
    const settle = (accepted: boolean): void => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(timeoutMs, () => settle(false));
    socket.once('error', () => settle(false));
    socket.connect(port, host, () => settle(true));
  });
}

async function withinMs(work: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([work.then(() => true), timedOut]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Health for platforms and load balancers. `/healthz` is liveness: the process
 * answers, nothing else is asked, so a dependency outage never gets the
 * process restarted. `/readyz` is readiness: the store answers a ping, the MCP
 * server accepts connections, and the IdP metadata is loaded (and its
 * discovery document still answers, checked at most every few seconds).
 * Neither takes credentials nor reveals more than which check failed.
 */
export function createHealthRoutes(options: HealthRoutesOptions): Route[] {
  const timeoutMs = options.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const idpCacheMs = options.identityProviderCacheMs ?? DEFAULT_IDP_CACHE_MS;
  let idpCache: { readonly atMs: number; readonly result: Promise<CheckResult> } | undefined;
  let lastStatus: ReadinessReport['status'] | undefined;

  async function checkStore(): Promise<CheckResult> {
    return (await withinMs(options.store.ping(), timeoutMs)) ? 'ok' : 'unavailable';
  }

  async function checkMcpServer(probe: McpServerProbe): Promise<CheckResult> {
    if (probe.kind === 'per-session') return 'ok';
    if (probe.kind === 'supervised') return probe.isRunning() ? 'ok' : 'not_running';
    return (await acceptsConnections(probe.url, timeoutMs)) ? 'ok' : 'unreachable';
  }

  /** Any answer below 500 shows the IdP is up: an OAuth-only IdP answers 404 for OpenID discovery. */
  async function fetchDiscovery(discoveryUrl: URL): Promise<CheckResult> {
    const target = new URL(discoveryUrl);
    target.pathname = `${target.pathname.replace(/\/$/, '')}/.well-known/openid-configuration`;
    try {
      const response = await fetch(target, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      await response.body?.cancel();
      return response.status < 500 ? 'ok' : 'unreachable';
    } catch {
      return 'unreachable';
    }
  }

  async function checkIdentityProvider(): Promise<CheckResult> {
    if (options.identityProvider.metadata() === undefined) return 'metadata_not_loaded';
    const { discoveryUrl } = options.identityProvider;
    if (discoveryUrl === undefined) return 'ok';
    const nowMs = options.clock.nowMs();
    if (idpCache === undefined || nowMs - idpCache.atMs >= idpCacheMs) {
      idpCache = { atMs: nowMs, result: fetchDiscovery(discoveryUrl) };
    }
    return await idpCache.result;
  }

  /** Every server's result, and the worst of them; one server is reported as `mcpServer` alone. */
  async function checkMcpServers(): Promise<Pick<ReadinessReport['checks'], 'mcpServer' | 'servers'>> {
    const { mcpServers } = options;
    const results = await Promise.all(mcpServers.map((server) => checkMcpServer(server.probe)));
    const mcpServer = results.find((result) => result !== 'ok') ?? 'ok';
    if (mcpServers.length < 2) return { mcpServer };
    return {
      mcpServer,
      servers: Object.fromEntries(mcpServers.map((server, index) => [server.id, results[index]!])),
    };
  }

  async function readiness(): Promise<ReadinessReport> {
    const [store, mcp, identityProvider] = await Promise.all([
      checkStore(),
      checkMcpServers(),
      checkIdentityProvider(),
    ]);
    const checks = {
      store,
      mcpServer: mcp.mcpServer,
      identityProvider,
      ...(mcp.servers === undefined ? {} : { servers: mcp.servers }),
    };
    const status = failingChecks(checks).length === 0 ? 'ready' : 'not_ready';
    if (status !== lastStatus) {
      // One line per change, not per probe: a load balancer asks every few seconds.
      const level = status === 'ready' ? 'info' : 'warn';
      options.logger[level](
        { event: 'health.readiness_changed', status, checks },
        'health.readiness_changed',
      );
      lastStatus = status;
    }
    return { status, checks };
  }

  const answer = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Readonly<Record<string, string>> = {},
  ): void => {
    if (req.method === 'HEAD') {
      res.writeHead(status, { 'cache-control': 'no-store', ...headers });
      return void res.end();
    }
    sendJson(res, status, body, headers);
  };

  return [
    {
      methods: ['GET', 'HEAD'],
      path: HEALTH_PATH,
      handle: (req, res) => Promise.resolve(answer(req, res, 200, { status: 'ok' })),
    },
    {
      methods: ['GET', 'HEAD'],
      path: READINESS_PATH,
      handle: async (req, res) => {
        const report = await readiness();
        if (report.status === 'ready') return answer(req, res, 200, report);
        const failing = failingChecks(report.checks);
        answer(req, res, 503, { ...report, failing }, { 'retry-after': String(RETRY_AFTER_SECONDS) });
      },
    },
  ];
}

/** The names of the checks that are not `ok`: `store`, `mcpServer`, `identityProvider`, `servers.<id>`. */
function failingChecks(checks: ReadinessReport['checks']): string[] {
  const { servers, ...overall } = checks;
  const failing = Object.entries(overall)
    .filter(([, result]) => result !== 'ok')
    .map(([name]) => name);
  for (const [id, result] of Object.entries(servers ?? {}))
    if (result !== 'ok') failing.push(`servers.${id}`);
  return failing;
}

/**
 * Serves the health routes before everything else: before the HTTPS redirect
 * (a container's HEALTHCHECK and a platform probe speak plain http to the
 * process directly), the rate limits and the access log (a probe every few
 * seconds would fill it).
 */
export function serveHealthRoutesFirst(
  routes: readonly Route[],
  next: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const router = new Router();
  for (const route of routes) router.add(route);
  return async (req, res) => {
    const rawUrl = req.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const match = router.match(req.method ?? 'GET', queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart));
    if (match === undefined) return next(req, res);
    if (!match.methodAllowed) {
      return sendJson(
        res,
        405,
        { status: 'error', error: 'method_not_allowed' },
        { allow: match.route.methods.join(', ') },
      );
    }
    try {
      await match.route.handle(req, res, match.params);
    } catch {
      if (!res.headersSent) sendJson(res, 500, { status: 'error' });
      else res.destroy();
    }
  };
}
