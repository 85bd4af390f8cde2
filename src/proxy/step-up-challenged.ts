import type { IncomingMessage } from 'node:http';
import type { ObservedEvent } from '../observability/index.ts';
import type { ScopeChallenge } from '../oauth/scope-challenge.ts';
import type { VerifiedAccess } from './ports.ts';

/** The event of a 403 `insufficient_scope`, as the HTTP proxy and the stdio bridge both tell it. */
export const stepUpChallenged = (
  access: VerifiedAccess,
  challenge: ScopeChallenge,
  request: IncomingMessage,
): ObservedEvent => ({
  type: 'step_up.challenged',
  grantId: access.grantId,
  accountId: access.accountId,
  clientId: access.clientId,
  scopes: challenge.scopes,
  request,
});
