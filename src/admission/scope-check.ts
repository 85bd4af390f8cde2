import type { IncomingHttpHeaders } from 'node:http';
import { OAuthError } from '../oauth/oauth-error.ts';
import type { McpOperation, ScopeChallenge } from '../oauth/scope-challenge.ts';
import { missingScopes, scopeChallengeFor } from '../oauth/scope-challenge.ts';
import type { Logger } from '../shared/logger.ts';
import { readMcpOperations, readMessageOperations, type OperationsRead } from './mcp-operations.ts';
import type { StepUpPolicy, VerifiedAccess } from './ports.ts';

export interface ScopeCheckOptions extends StepUpPolicy {
  /** Absolute protected resource metadata URL, as in the 401 challenge. */
  readonly resourceMetadataUrl: string;
  readonly logger: Logger;
}

/** Undefined: the token may do what the body asks. */
export type ScopeVerdict =
  | undefined
  | { readonly kind: 'challenge'; readonly challenge: ScopeChallenge }
  | { readonly kind: 'refused'; readonly error: OAuthError };

/**
 * Step-up at the MCP endpoint (MCP authorization [11] §10.1.1, [26] §11.1):
 * a POST whose operations need scopes the token lacks is answered with one
 * 403 `insufficient_scope` challenge naming every scope the whole body needs,
 * so a batch never costs the user two re-authorizations.
 */
export function createScopeCheck(options: ScopeCheckOptions): ScopeCheck {
  const { logger } = options;

  const decide = async (
    read: OperationsRead,
    access: VerifiedAccess,
    requestId: string,
  ): Promise<ScopeVerdict> => {
    if (read.kind === 'refused')
      return { kind: 'refused', error: new OAuthError('invalid_request', read.reason) };
    const granted = access.scopes;
    const required = new Set<string>();
    let firstRefused: McpOperation | undefined;
    for (const operation of read.operations) {
      const needs = options.requiredScopes(operation);
      for (const scope of needs) required.add(scope);
      if (firstRefused === undefined && missingScopes(needs, granted, options.hierarchy).length > 0) {
        firstRefused = operation;
      }
    }
    if (firstRefused === undefined) return undefined;
    const challenge = scopeChallengeFor({
      operation: firstRefused,
      required: [...required],
      granted,
      resourceMetadataUrl: options.resourceMetadataUrl,
      hierarchy: options.hierarchy,
    });
    if (challenge === undefined) return undefined;
    logger.info(
      { event: 'proxy.insufficient_scope', requestId, grantId: access.grantId },
      'proxy.insufficient_scope',
    );
    // Recorded before the client can read the 403: SDK 1.x clients refresh at once.
    await options.recordChallenge?.(access.grantId).catch((error: unknown) => {
      logger.warn(
        { event: 'proxy.step_up_record_failed', requestId, grantId: access.grantId, err: error },
        'proxy.step_up_record_failed',
      );
    });
    return { kind: 'challenge', challenge };
  };

  return {
    body: (bytes, headers, access, requestId) => decide(readMcpOperations(bytes, headers), access, requestId),
    message: (message, headers, access, requestId) =>
      decide(readMessageOperations(message, headers), access, requestId),
  };
}

/** The check, on a raw POST body (the HTTP proxy) or on one its caller has parsed already (the stdio bridge). */
export interface ScopeCheck {
  body(
    bytes: Buffer,
    headers: IncomingHttpHeaders,
    access: VerifiedAccess,
    requestId: string,
  ): Promise<ScopeVerdict>;
  message(
    message: unknown,
    headers: IncomingHttpHeaders,
    access: VerifiedAccess,
    requestId: string,
  ): Promise<ScopeVerdict>;
}
