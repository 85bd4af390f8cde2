import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Observe } from '../observability/index.ts';
import { denialText, type Denied } from '../policy/index.ts';
import type { Logger } from '../shared/logger.ts';
import { clientOf, type LoadedInteraction } from './load-interaction.ts';
import type { RenderPage } from './ports.ts';
import { sendPage } from './send-page.ts';

export interface RefuseSignInOptions {
  readonly provider: Provider;
  readonly renderPage: RenderPage;
  readonly pageHeaders: Readonly<Record<string, string>>;
  readonly observe: Observe;
  readonly logger: Logger;
}

/**
 * The `signIn:` rules refused the user the IdP has just signed in: no grant
 * is made and their IdP tokens are not kept. The person reads which rule and
 * why (403, `signin-refused`); the interaction is finished with
 * `access_denied` and the same sentence as its description, which the client
 * receives at its redirect URI when the person follows the page's link back
 * (RFC 6749 §4.1.2.1). A page rather than an immediate redirect: most MCP
 * clients show nothing of an authorization error, and the person would never
 * learn why.
 */
export async function refuseSignIn(
  options: RefuseSignInOptions,
  req: IncomingMessage,
  res: ServerResponse,
  loaded: LoadedInteraction,
  accountId: string,
  decision: Denied,
): Promise<void> {
  const message = denialText(decision, { kind: 'sign-in' });
  const client = clientOf(loaded);
  options.observe({ type: 'signin.refused', accountId, rule: decision.rule, ...client, request: req });
  options.logger.info(
    {
      event: 'interaction.signin_refused',
      uid: loaded.details.uid,
      clientId: client.clientId,
      rule: decision.rule,
    },
    'interaction.signin_refused',
  );
  const returnTo = await options.provider.interactionResult(
    req,
    res,
    { error: 'access_denied', error_description: message },
    { mergeWithLastSubmission: false },
  );
  const html = await options.renderPage('signin-refused', {
    message,
    rule: decision.rule,
    description: decision.description,
    clientName: client.clientName,
    returnTo,
  });
  sendPage(res, 403, html, options.pageHeaders);
}
