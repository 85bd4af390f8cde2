import { OAuthError } from '../oauth/oauth-error.ts';
import type { Admission, AdmitStep, AuthenticateStep, McpReplies } from '../admission/index.ts';
import type { BridgeSession } from './bridge-session.ts';
import { writeJsonRpcReply } from './json-rpc-replies.ts';
import type { SessionRegistry } from './session-registry.ts';

/** What bridging adds to an admitted request. */
export interface BridgeFields {
  /** The session the request names, found for its own user (find-session). */
  session: BridgeSession | undefined;
  /** The pid of the child that serves the request, for its log line. */
  pid: number | undefined;
}

export type BridgeAdmission = Admission & BridgeFields;

/** Only the exact mount path is served: the bridge has no subpaths. */
export function exactPath(path: string, replies: McpReplies): AuthenticateStep<BridgeAdmission> {
  return (request) => {
    if (request.context.pathname === path) return 'next';
    replies.error(request.res, new OAuthError('not_found', 'Nothing is served here.'));
    return 'answered';
  };
}

/**
 * The stdio bridge's session owner binding: a session is found by its id and
 * by the account that opened it, so another user's session answers exactly as
 * one that never existed (404), and bob's DELETE cannot end alice's session.
 */
export function findSession(registry: SessionRegistry<BridgeSession>): AdmitStep<BridgeAdmission> {
  return {
    decide(request) {
      if (request.sessionId === undefined) return 'next';
      const session = registry.find(request.sessionId, request.access.accountId);
      if (session === undefined) {
        writeJsonRpcReply(request.res, 'session_not_found');
        return 'answered';
      }
      request.session = session;
      request.pid = session.pid;
      return 'next';
    },
  };
}

/** A POSTed body is parsed once, here, never by the SDK transport: JSON-RPC parse error otherwise. */
export function parseMessage(): AdmitStep<BridgeAdmission> {
  return {
    decide(request) {
      if (request.req.method !== 'POST' || request.body === undefined) return 'next';
      try {
        request.message = JSON.parse(request.body.toString('utf8'));
      } catch {
        writeJsonRpcReply(request.res, 'parse_error');
        return 'answered';
      }
      return 'next';
    },
  };
}
