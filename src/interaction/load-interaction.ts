import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { OAuthError } from '../oauth/oauth-error.ts';

export type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;
export type InteractionClient = NonNullable<Awaited<ReturnType<Provider['Client']['find']>>>;

/** An interaction this browser started, with the client it is for. */
export interface LoadedInteraction {
  readonly details: InteractionDetails;
  readonly client: InteractionClient;
}

const EXPIRED_SIGN_IN =
  'This sign-in has expired or was started in another browser. Go back to your application and connect again.';

/**
 * The interaction `uid` names, as this browser started it: interactionDetails
 * checks the signed, path-scoped interaction cookie, which binds every step
 * to the browser that started the authorization request.
 */
export async function loadInteraction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  uid: string,
): Promise<LoadedInteraction> {
  let details: InteractionDetails;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (error) {
    // oidc-provider's SessionNotFound ("interaction session id cookie not found") means nothing
    // to a person; say what happened and what to do.
    if ((error as { name?: string }).name === 'SessionNotFound')
      throw new OAuthError('invalid_request', EXPIRED_SIGN_IN);
    throw error;
  }
  if (details.uid !== uid) throw new OAuthError('invalid_request', EXPIRED_SIGN_IN);
  const clientId = details.params.client_id;
  const client = typeof clientId === 'string' ? await provider.Client.find(clientId) : undefined;
  if (client === undefined)
    throw new OAuthError('invalid_client', 'the client of this sign-in is no longer registered');
  return { details, client };
}

/** What events and the audit trail name the client by. */
export function clientOf({ client }: LoadedInteraction): {
  clientId: string;
  clientName: string | undefined;
} {
  return {
    clientId: client.clientId,
    clientName: typeof client.clientName === 'string' ? client.clientName : undefined,
  };
}
