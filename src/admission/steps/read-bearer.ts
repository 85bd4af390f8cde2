import type { AuthenticateStep } from '../admission.ts';
import { readBearerCredential } from '../../oauth/bearer-credential.ts';
import type { AnswerUnauthenticated } from '../answer-unauthenticated.ts';

/**
 * Our own access token, from the Authorization header only (RFC 6750 §2.1; MCP
 * authorization §9.1: never from the query). Anything else is challenged.
 */
export function readBearer(unauthenticated: AnswerUnauthenticated): AuthenticateStep {
  return (admission) => {
    const credential = readBearerCredential(admission.authorization);
    if (credential.kind === 'token') {
      admission.token = credential.token;
      return 'next';
    }
    return unauthenticated(admission.req, admission.res, credential.kind);
  };
}
