import type { ServerResponse } from 'node:http';
import type { OAuthError } from '../oauth/oauth-error.ts';
import type { ScopeChallenge } from '../oauth/scope-challenge.ts';
import { buildBearerChallenge } from '../oauth/www-authenticate.ts';

/** Why the proxy answers 401; each has one fixed challenge and body. */
export type ChallengeReason =
  'missing' | 'other_scheme' | 'malformed' | 'invalid_token' | 'no_upstream_token' | 'upstream_refused';

interface PreparedChallenge {
  readonly header: string;
  readonly body: string;
}

const DESCRIPTIONS: Record<ChallengeReason, string> = {
  missing: 'An access token is required: send Authorization: Bearer <token>.',
  other_scheme: 'Only Bearer access tokens are accepted: send Authorization: Bearer <token>.',
  malformed: 'The Authorization header does not hold one Bearer token.',
  invalid_token: 'The access token is invalid, expired, revoked or was not issued for this resource.',
  no_upstream_token: 'The sign-in with the identity provider is missing or has ended; authorize again.',
  upstream_refused: 'The identity provider no longer accepts this sign-in; authorize again.',
};

export interface McpReplies {
  /** 401 with our challenge (MCP authorization §4.2, §9.2). Never a redirect. */
  challenge(res: ServerResponse, reason: ChallengeReason): void;
  /** 403 `insufficient_scope` with its step-up challenge (MCP authorization [11] §10.1.1). */
  scopeChallenge(res: ServerResponse, challenge: ScopeChallenge): void;
  /** The error's status and RFC 6749 §5.2 JSON body, with Retry-After when it has one. */
  error(res: ServerResponse, error: OAuthError): void;
  /**
   * 404 for a session that belongs to someone else, written as the MCP SDK's
   * Streamable HTTP transport answers an unknown session (MCP transports,
   * "Session Management"), so the answer never reveals that the session exists.
   */
  sessionNotFound(res: ServerResponse): void;
  /**
   * The access rules' answer to a POST they refused (docs/access-rules.md): 200 with the JSON-RPC
   * error(s), as an MCP server answers a call it refuses, so that clients show the message; 202
   * when only notifications were refused (nothing to answer).
   */
  refusedMessages(res: ServerResponse, answer: unknown): void;
}

const SESSION_NOT_FOUND_BODY = JSON.stringify({
  jsonrpc: '2.0',
  error: { code: -32001, message: 'Session not found' },
  id: null,
});

export interface McpRepliesOptions {
  /** Absolute URL of our Protected Resource Metadata for this mount (RFC 9728 §3.1). */
  readonly resourceMetadataUrl: string;
  /** Space-separated scopes for the challenge (MCP authorization §6); empty = omitted. */
  readonly scope: string;
}

/**
 * Challenges are built once: the hot path only writes prepared strings.
 * `error="invalid_token"` appears only when the client sent a Bearer
 * credential (RFC 6750 §3.1: no error code for a request without
 * authentication); the JSON body always names the error.
 */
export function createMcpReplies(options: McpRepliesOptions): McpReplies {
  const prepared = new Map<ChallengeReason, PreparedChallenge>();
  for (const reason of Object.keys(DESCRIPTIONS) as ChallengeReason[]) {
    const tokenSent = reason !== 'missing' && reason !== 'other_scheme';
    const description = DESCRIPTIONS[reason];
    prepared.set(reason, {
      header: buildBearerChallenge({
        resourceMetadata: options.resourceMetadataUrl,
        ...(tokenSent ? { error: 'invalid_token' as const } : {}),
        errorDescription: description,
        scope: options.scope,
      }),
      body: JSON.stringify({ error: 'invalid_token', error_description: description }),
    });
  }

  return {
    challenge(res, reason) {
      const { header, body } = prepared.get(reason)!;
      writeJson(res, 401, body, ['www-authenticate', header]);
    },
    scopeChallenge(res, challenge) {
      writeJson(res, challenge.status, JSON.stringify(challenge.body), [
        'www-authenticate',
        challenge.wwwAuthenticate,
      ]);
    },
    error(res, error) {
      const extra =
        error.retryAfterSeconds === undefined ? [] : ['retry-after', String(error.retryAfterSeconds)];
      writeJson(res, error.status, JSON.stringify(error.toJSON()), extra);
    },
    refusedMessages(res, answer) {
      if (answer !== undefined) return writeJson(res, 200, JSON.stringify(answer), []);
      if (res.headersSent) return void res.destroy();
      res.writeHead(202, ['content-length', '0']);
      res.end();
    },
    sessionNotFound(res) {
      if (res.headersSent) return void res.destroy();
      res.writeHead(404, [
        'content-type',
        'application/json',
        'content-length',
        String(Buffer.byteLength(SESSION_NOT_FOUND_BODY)),
      ]);
      res.end(SESSION_NOT_FOUND_BODY);
    },
  };
}

function writeJson(res: ServerResponse, status: number, body: string, extraHeaders: string[]): void {
  if (res.headersSent) {
    // Too late for a status line: cutting the connection is the only honest signal.
    res.destroy();
    return;
  }
  res.writeHead(status, [
    'content-type',
    'application/json; charset=utf-8',
    'cache-control',
    'no-store',
    'content-length',
    String(Buffer.byteLength(body)),
    ...extraHeaders,
  ]);
  res.end(body);
}
