import type { Config } from '../../config/index.ts';
import {
  createIdentityClient,
  createMemoryStorageHook,
  IdentityProviderError,
  type IdentityProviderMetadata,
} from '../../upstream-idp/index.ts';
import { describeError } from '../describe-error.ts';
import { fail, pass, warn, type Finding } from '../output.ts';
import { suggestIssuer } from './suggest-issuer.ts';
import { identityClientOptionsFor } from '../../app/create-upstream-login.ts';

const DISCOVERY = 'identity provider';
const CREDENTIALS = 'identity client credentials';

/**
 * Loads the IdP's metadata exactly as the proxy does at start-up (the same
 * identity client, discovery or metadata file), then judges the client
 * credentials against what the IdP says it accepts at its token endpoint.
 */
export async function checkIdentityProvider(config: Config): Promise<Finding[]> {
  const { identity } = config;
  const source =
    identity.metadataFile !== undefined
      ? `metadata file ${identity.metadataFile}`
      : `discovery at ${identity.serverUrl?.href ?? '(none)'}`;
  let metadata: IdentityProviderMetadata | undefined;
  try {
    // Nothing is stored: no login is started, so the in-memory hook is enough.
    const client = createIdentityClient(identityClientOptionsFor(config, createMemoryStorageHook()));
    await client.initialize();
    metadata = client.metadata;
  } catch (error) {
    return [fail(DISCOVERY, `${source} failed: ${describeError(error)}`, await discoveryFix(config, error))];
  }
  if (metadata === undefined) {
    return [
      fail(DISCOVERY, `${source} gave no metadata`, 'Report this: initialize() succeeded without metadata.'),
    ];
  }
  return [
    pass(DISCOVERY, `${source}: issuer ${metadata.issuer}, token endpoint ${metadata.token_endpoint}`),
    checkCredentials(config, metadata),
  ];
}

async function discoveryFix(config: Config, error: unknown): Promise<string> {
  const { identity } = config;
  if (identity.metadataFile !== undefined) {
    return `IDENTITY_SERVER_METADATA_FILE (${identity.metadataFile}) must be a JSON object with issuer, authorization_endpoint and token_endpoint as absolute https URLs (http only with LOCAL_INSECURE=true).`;
  }
  const serverUrl = identity.serverUrl;
  if (serverUrl === undefined) return "Set IDENTITY_SERVER_URL to the identity provider's issuer URL.";
  const unavailable = error instanceof IdentityProviderError && error.failure === 'unavailable';
  const suggestion = await suggestIssuer(serverUrl, identity.timeoutMs);
  const form =
    "IDENTITY_SERVER_URL must be the identity provider's issuer URL, the part before /.well-known/openid-configuration " +
    '(e.g. https://accounts.google.com, https://login.microsoftonline.com/<tenant>/v2.0, https://<tenant>.okta.com).';
  if (suggestion !== undefined && suggestion.replace(/\/$/, '') !== serverUrl.href.replace(/\/$/, '')) {
    return `Set IDENTITY_SERVER_URL=${suggestion}: the identity provider publishes its metadata there. ${form}`;
  }
  if (suggestion !== undefined) {
    return `${form} ${suggestion} does publish metadata, but it was refused: check that its issuer matches IDENTITY_SERVER_URL exactly and its endpoints are https (http only with LOCAL_INSECURE=true).`;
  }
  const reach = unavailable
    ? ` The IdP did not answer within IDENTITY_TIMEOUT_MS (${identity.timeoutMs} ms): check the host name and that this machine can reach it.`
    : '';
  return `${form}${reach} An IdP without discovery is configured with IDENTITY_SERVER_METADATA_FILE instead.`;
}

function checkCredentials(config: Config, metadata: IdentityProviderMetadata): Finding {
  const { clientId, clientSecret } = config.identity;
  if (clientId.trim() === '') {
    return fail(
      CREDENTIALS,
      'IDENTITY_CLIENT_ID is empty',
      'Set IDENTITY_CLIENT_ID to the client id the IdP issued for the proxy.',
    );
  }
  const methods = metadata.token_endpoint_auth_methods_supported;
  const listed =
    methods === undefined
      ? 'lists no token_endpoint_auth_methods_supported'
      : `accepts ${methods.join(', ')}`;
  if (clientSecret === undefined) {
    if (methods === undefined) {
      return warn(
        CREDENTIALS,
        `client ${clientId} has no IDENTITY_CLIENT_SECRET, and the IdP ${listed} (the default is client_secret_basic, RFC 8414 §2)`,
        'If the IdP registered the proxy as a confidential client, set IDENTITY_CLIENT_SECRET.',
      );
    }
    if (!methods.includes('none')) {
      return fail(
        CREDENTIALS,
        `client ${clientId} has no IDENTITY_CLIENT_SECRET, but the IdP ${listed} at its token endpoint: every login would end in invalid_client`,
        'Set IDENTITY_CLIENT_SECRET to the client secret the IdP issued for the proxy.',
      );
    }
    return pass(CREDENTIALS, `public client ${clientId}; the IdP ${listed}`);
  }
  if (methods !== undefined && !methods.some((method) => method.startsWith('client_secret_'))) {
    return warn(
      CREDENTIALS,
      `client ${clientId} has a secret, but the IdP ${listed}: it sends the secret with client_secret_basic`,
      'Remove IDENTITY_CLIENT_SECRET if the IdP registered the proxy as a public client.',
    );
  }
  return pass(CREDENTIALS, `client ${clientId} with a secret; the IdP ${listed}`);
}
