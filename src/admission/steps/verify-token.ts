import type { AuthenticateStep } from '../admission.ts';
import type { AnswerUnauthenticated } from '../answer-unauthenticated.ts';
import type { VerifyAccessToken } from '../ports.ts';

export interface VerifyTokenOptions {
  readonly verifyAccessToken: VerifyAccessToken;
  /** This server's resource: a token issued for another server is not valid here (RFC 8707, MCP authorization §9.2). */
  readonly resource: string;
  readonly unauthenticated: AnswerUnauthenticated;
}

/**
 * The token must exist (not revoked), be meant for this server, and not have
 * expired when the request arrived. This is the one place expiry is decided:
 * the verifier and its cache only find tokens.
 */
export function verifyToken(options: VerifyTokenOptions): AuthenticateStep {
  const { verifyAccessToken, resource, unauthenticated } = options;
  return async (admission) => {
    if (admission.token === undefined) throw new Error('verify-token runs after read-bearer');
    const access = await verifyAccessToken(admission.token);
    if (
      access === undefined ||
      access.resource !== resource ||
      access.expiresAtSeconds * 1000 <= admission.context.startedMs
    ) {
      return await unauthenticated(admission.req, admission.res, 'invalid_token');
    }
    admission.access = access;
    return 'next';
  };
}
