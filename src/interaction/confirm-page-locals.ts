import type Provider from 'oidc-provider';
import type { ConfirmLoginLocals } from '../views/index.ts';
import { redirectHostnames } from '../views/index.ts';
import { requestedResources, type ProtectedResources } from '../authorization-server/index.ts';

type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;
type Client = NonNullable<Awaited<ReturnType<Provider['Client']['find']>>>;

export interface ConfirmPageInput {
  client: Client;
  details: InteractionDetails;
  /** Every MCP server: the page names those the request asks for. */
  servers: ProtectedResources;
  csrfToken: string;
  identityServerUrl: URL | undefined;
  /** The IdP issuer from its metadata, shown when IDENTITY_SERVER_URL is not set. */
  identityIssuer?: string | undefined;
  /** The code a device shows, when a device asks (RFC 8628). */
  userCode?: string | undefined;
}

/**
 * The confirm page's locals: the reference's (`client`, `uid`, `details`,
 * `params`, `identityServerUrl`) so templates written for it keep working,
 * plus what the spec asks the page to show (redirect hostnames, scopes, the
 * MCP servers asked for, and for a device its user code).
 */
export function buildConfirmPageLocals(input: ConfirmPageInput): ConfirmLoginLocals {
  const { client, details } = input;
  const redirectUris = [...(client.redirectUris ?? [])];
  const identityServerUrl = input.identityServerUrl?.href ?? input.identityIssuer ?? '';
  const scope = typeof details.params.scope === 'string' ? details.params.scope : '';
  return {
    client: {
      clientId: client.clientId,
      clientName: client.clientName,
      clientUri: client.clientUri,
      redirectUris,
      logoUri: client.logoUri,
      policyUri: client.policyUri,
      tosUri: client.tosUri,
    },
    uid: details.uid,
    details: details.prompt.details,
    params: details.params,
    identityServerUrl,
    csrfToken: input.csrfToken,
    redirectHostnames: redirectHostnames(redirectUris),
    identityProviderName: hostOf(identityServerUrl),
    scopes: scope.split(' ').filter(Boolean),
    servers: requestedResources(input.servers, details.params.resource).map((server) => ({
      id: server.id,
      displayName: server.displayName,
      resource: server.resource,
    })),
    ...(input.userCode === undefined ? {} : { userCode: input.userCode }),
  };
}

function hostOf(url: string): string {
  return URL.parse(url)?.host ?? url;
}
