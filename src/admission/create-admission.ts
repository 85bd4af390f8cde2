import type { IncomingHttpHeaders } from 'node:http';
import type { RateLimiter } from '../http-kit/rate-limiter.ts';
import type { StandaloneStreams } from '../http-kit/standalone-streams.ts';
import type { Observe } from '../observability/index.ts';
import { ignoreEvents } from '../observability/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { AdmitStep, AuthenticateStep } from './admission.ts';
import { answerUnauthenticated } from './answer-unauthenticated.ts';
import { createMcpReplies, type McpReplies } from './mcp-replies.ts';
import type {
  AdmitUnauthenticated,
  IsUpstreamAvailable,
  ServerAccessRules,
  SessionOwners,
  StepUpPolicy,
  UpstreamTokenSource,
  VerifyAccessToken,
} from './ports.ts';
import { applyPolicy } from './steps/apply-policy.ts';
import { applyRateLimit } from './steps/apply-rate-limit.ts';
import { applyStepUp } from './steps/apply-step-up.ts';
import { bindSessionOwner } from './steps/bind-session-owner.ts';
import { readBearer } from './steps/read-bearer.ts';
import { readBody } from './steps/read-body.ts';
import { refuseOnceClosed, refuseWhileClosing } from './steps/refuse-while-closing.ts';
import { requireUpstream } from './steps/require-upstream.ts';
import { resolveUpstreamIdentity } from './steps/resolve-upstream-identity.ts';
import { verifyToken } from './steps/verify-token.ts';

/** The protected resource one admission guards, derived once per server by the composition root. */
export interface GuardedResource {
  /** The server's id (logs, events). */
  readonly server: string;
  /** Its resource identifier: the audience a token must have (RFC 8707). */
  readonly resource: string;
  /** Absolute URL of its protected resource metadata, named in every challenge (RFC 9728 §5.1). */
  readonly resourceMetadataUrl: string;
  /** The scopes a 401 challenge names: its `scopes_supported`, without offline_access (MCP [26] §10). */
  readonly challengeScopes: readonly string[];
}

export interface AdmissionOptions {
  readonly guarded: GuardedResource;
  readonly verifyAccessToken: VerifyAccessToken;
  readonly upstreamTokens: UpstreamTokenSource;
  readonly maxBodyBytes: number;
  /** Per grant on this server; absent = no limit. */
  readonly rateLimiter?: RateLimiter | undefined;
  /** MAX_REQUESTS per address, for requests without a valid token; absent = not counted. */
  readonly admitUnauthenticated?: AdmitUnauthenticated | undefined;
  /** The server's step-up rules; absent = none (bodies are never parsed). */
  readonly stepUp?: StepUpPolicy | undefined;
  /**
   * The server's access rules; absent when it has none and none can appear (no rules file): the
   * policy step is then not built at all.
   */
  readonly accessRules?: ServerAccessRules | undefined;
  /** Session → account (the HTTP proxy); absent = no binding. */
  readonly sessionOwners?: SessionOwners | undefined;
  /** The supervisor's view of the MCP server; absent = always try. */
  readonly isUpstreamAvailable?: IsUpstreamAvailable | undefined;
  /** Where GET streams are registered: a GET during shutdown is refused. */
  readonly standaloneStreams?: StandaloneStreams | undefined;
  /** Told each body once read (the proxy's tracing); absent = nobody. */
  readonly observeBody?: ((body: Buffer, headers: IncomingHttpHeaders) => void) | undefined;
  readonly observe?: Observe | undefined;
  readonly logger: Logger;
}

/** The named steps; each transport lists the ones it runs, in order (docs/architecture.md). */
export interface AdmissionStepsOf {
  readonly refuseWhileClosing: AuthenticateStep;
  readonly readBearer: AuthenticateStep;
  readonly verifyToken: AuthenticateStep;
  readonly requireUpstream: AuthenticateStep;
  readonly applyRateLimit: AdmitStep;
  readonly bindSessionOwner: AdmitStep;
  readonly resolveUpstreamIdentity: AdmitStep;
  readonly readBody: AdmitStep;
  /** Undefined when the server has no access rules: the transports leave it out. */
  readonly applyPolicy: AdmitStep | undefined;
  readonly applyStepUp: AdmitStep;
  readonly refuseOnceClosed: AdmitStep;
}

/** One server's admission: its steps, its prepared answers, and its shutdown refusal. */
export interface ServerAdmission {
  readonly server: string;
  readonly steps: AdmissionStepsOf;
  readonly replies: McpReplies;
  /** From now on every new request gets 503 (the transport is closing). */
  close(): void;
  readonly closing: boolean;
}

/** Built once per server by the composition root (src/app/create-mcp-endpoint.ts). */
export function createAdmission(options: AdmissionOptions): ServerAdmission {
  const { guarded, logger } = options;
  const observe = options.observe ?? ignoreEvents;
  const replies = createMcpReplies({
    resourceMetadataUrl: guarded.resourceMetadataUrl,
    scope: guarded.challengeScopes.join(' '),
  });
  const unauthenticated = answerUnauthenticated(replies, options.admitUnauthenticated);
  let closing = false;
  const shutdown = { isClosing: () => closing, standaloneStreams: options.standaloneStreams, replies };
  const server = guarded.server;
  const steps: AdmissionStepsOf = {
    refuseWhileClosing: refuseWhileClosing(shutdown),
    readBearer: readBearer(unauthenticated),
    verifyToken: verifyToken({
      verifyAccessToken: options.verifyAccessToken,
      resource: guarded.resource,
      unauthenticated,
    }),
    requireUpstream: requireUpstream(options.isUpstreamAvailable ?? (() => true), replies),
    applyRateLimit: applyRateLimit({ rateLimiter: options.rateLimiter, server, observe, replies }),
    bindSessionOwner: bindSessionOwner({
      sessionOwners: options.sessionOwners,
      server,
      observe,
      replies,
      logger,
    }),
    resolveUpstreamIdentity: resolveUpstreamIdentity(options.upstreamTokens, replies),
    readBody: readBody({ maxBodyBytes: options.maxBodyBytes, observeBody: options.observeBody }),
    applyPolicy:
      options.accessRules === undefined
        ? undefined
        : applyPolicy({ accessRules: options.accessRules, server, observe, replies }),
    applyStepUp: applyStepUp({
      stepUp: options.stepUp,
      resourceMetadataUrl: guarded.resourceMetadataUrl,
      server,
      observe,
      replies,
      logger,
    }),
    refuseOnceClosed: refuseOnceClosed(shutdown),
  };
  return {
    server,
    steps,
    replies,
    close: () => {
      closing = true;
    },
    get closing() {
      return closing;
    },
  };
}
