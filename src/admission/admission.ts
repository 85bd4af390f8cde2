import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RateLimitDecision } from '../http-kit/rate-limiter.ts';
import type { RequestBody } from '../http-kit/read-request-body.ts';
import type { RequestContext } from '../http-kit/request-context.ts';
import type { Identity, ListAnswers, UserAccess } from '../policy/index.ts';
import type { VerifiedAccess } from './ports.ts';
import type { Settled } from './settle.ts';

/**
 * One MCP request on its way through the admission steps: what the transport
 * read from its head, then what each step adds for the steps after it (as
 * oidc-provider's actions share their `ctx`). Every field exists from the
 * start, so that every request object has one shape.
 */
export interface Admission {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Decided once at the edge: request id, parsed path, start time. */
  readonly context: RequestContext;
  /** The Authorization header as the transport read it. */
  readonly authorization: string | undefined;
  /** The first Mcp-Session-Id, when the request names a session. */
  readonly sessionId: string | undefined;
  /** The client framed a body (Content-Length or Transfer-Encoding) that the transport wants read. */
  readonly hasBody: boolean;
  readonly declaredLength: number | undefined;
  /** The client went away: steps stop without answering. */
  aborted: boolean;

  /** read-bearer: the access token the client sent. */
  token: string | undefined;
  /** verify-token: the token's grant, once it is valid for this server now. */
  access: VerifiedAccess | undefined;
  /** resolve-upstream-identity: the IdP access token the MCP server gets instead of ours. */
  upstreamToken: string | undefined;
  /** read-body: the whole body, as bytes. */
  body: Buffer | undefined;
  /** The body as JSON, when the transport (the stdio bridge) or the policy step parsed it; undefined otherwise. */
  message: unknown;
  /** apply-policy: what the access rules let this user do here, when any rule touches them. */
  userAccess: UserAccess | undefined;
  /** apply-policy: the list requests whose answers must be filtered (`any` for a resumed stream); undefined: none. */
  listAnswers: ListAnswers | undefined;

  /** Work a step started before the steps decide, so that they share one store round trip. */
  rateLimitDecision: Promise<RateLimitDecision> | undefined;
  ownerLookup: Promise<Settled<string | undefined>> | undefined;
  upstreamTokenLookup: Promise<Settled<string | undefined>> | undefined;
  bodyRead: Promise<RequestBody> | undefined;
  identityLookup: Promise<Settled<Identity | undefined>> | undefined;
}

/** What the transport read from the request's head before the steps run. */
export interface AdmissionHead {
  readonly authorization: string | undefined;
  readonly sessionId: string | undefined;
  readonly hasBody: boolean;
  readonly declaredLength: number | undefined;
}

/** An admission whose token has been verified: what the steps after the token check see. */
export type Verified<A extends Admission = Admission> = A & { readonly access: VerifiedAccess };

/** `answered`: the step has answered (or the client has gone), and no later step runs. */
export type StepResult = 'next' | 'answered';

/** A step before the token is known: it decides alone, in its turn. */
export type AuthenticateStep<A extends Admission = Admission> = (
  admission: A,
) => StepResult | Promise<StepResult>;

/** A step after the token check. */
export interface AdmitStep<A extends Admission = Admission> {
  /** Starts the step's work without waiting for it: every step's start runs before the first decides. */
  readonly start?: ((admission: Verified<A>) => void) | undefined;
  /** Decides in its turn, on the work started. */
  readonly decide: (admission: Verified<A>) => StepResult | Promise<StepResult>;
}

/** A transport's steps, in order. */
export interface AdmissionSteps<A extends Admission = Admission> {
  readonly authenticate: readonly AuthenticateStep<A>[];
  readonly admit: readonly AdmitStep<A>[];
}

/** A fresh admission, with the transport's own fields (`extra`) in the same object. */
export function newAdmission<T extends object>(
  req: IncomingMessage,
  res: ServerResponse,
  context: RequestContext,
  head: AdmissionHead,
  extra: T,
): Admission & T {
  return {
    req,
    res,
    context,
    authorization: head.authorization,
    sessionId: head.sessionId,
    hasBody: head.hasBody,
    declaredLength: head.declaredLength,
    aborted: false,
    token: undefined,
    access: undefined,
    upstreamToken: undefined,
    body: undefined,
    message: undefined,
    userAccess: undefined,
    listAnswers: undefined,
    rateLimitDecision: undefined,
    ownerLookup: undefined,
    upstreamTokenLookup: undefined,
    bodyRead: undefined,
    identityLookup: undefined,
    ...extra,
  };
}

/**
 * Runs the steps in order (docs/architecture.md, "The admission pipeline").
 * Resolves with the verified admission when every step let the request
 * through, or undefined once one has answered it. A step that fails throws:
 * the transport turns the error into its answer.
 */
export async function runAdmission<A extends Admission>(
  steps: AdmissionSteps<A>,
  admission: A,
): Promise<Verified<A> | undefined> {
  for (const step of steps.authenticate) {
    const result = step(admission);
    if ((typeof result === 'string' ? result : await result) === 'answered') return undefined;
  }
  if (admission.access === undefined) throw new Error('no admission step verified the access token');
  const verified = admission as Verified<A>;
  // The rate limit, the session owner, the IdP token and the body: one round trip, not four.
  for (const step of steps.admit) step.start?.(verified);
  for (const step of steps.admit) {
    const result = step.decide(verified);
    if ((typeof result === 'string' ? result : await result) === 'answered') return undefined;
  }
  return verified;
}
