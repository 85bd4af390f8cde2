import { readFile } from 'node:fs/promises';
import { IdentityConfigurationError } from './identity-provider-error.ts';

/**
 * The IdP's authorization server metadata, with the field names of RFC 8414 §2
 * and OpenID Connect Discovery §3 (as in the Heroku adapter's
 * `OIDCProviderMetadata`). Only the first three fields are required.
 */
export interface IdentityProviderMetadata {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly jwks_uri?: string;
  readonly userinfo_endpoint?: string;
  readonly scopes_supported?: readonly string[];
  readonly response_types_supported?: readonly string[];
  readonly grant_types_supported?: readonly string[];
  readonly code_challenge_methods_supported?: readonly string[];
  readonly token_endpoint_auth_methods_supported?: readonly string[];
  readonly id_token_signing_alg_values_supported?: readonly string[];
  /** RFC 9207: the IdP puts `iss` in its authorization responses. */
  readonly authorization_response_iss_parameter_supported?: boolean;
  readonly [field: string]: unknown;
}

const REQUIRED_URL_FIELDS = ['issuer', 'authorization_endpoint', 'token_endpoint'] as const;
const OPTIONAL_URL_FIELDS = ['jwks_uri', 'userinfo_endpoint'] as const;

function isAllowedUrl(value: string, allowInsecureHttp: boolean): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || (allowInsecureHttp && protocol === 'http:');
  } catch {
    return false;
  }
}

/**
 * Checks that static metadata names the endpoints this client needs, as
 * absolute https URLs (http with `allowInsecureHttp`).
 *
 * @param label - How the source is named in problems (option or file path).
 */
export function validateServerMetadata(
  value: unknown,
  label: string,
  allowInsecureHttp: boolean,
): { metadata?: IdentityProviderMetadata; problems: string[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problems: [`${label} must be a JSON object of authorization server metadata`] };
  }
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const field of REQUIRED_URL_FIELDS) {
    const fieldValue = record[field];
    if (typeof fieldValue !== 'string' || !isAllowedUrl(fieldValue, allowInsecureHttp)) {
      problems.push(`${label}.${field} must be an absolute https URL`);
    }
  }
  for (const field of OPTIONAL_URL_FIELDS) {
    const fieldValue = record[field];
    if (
      fieldValue !== undefined &&
      (typeof fieldValue !== 'string' || !isAllowedUrl(fieldValue, allowInsecureHttp))
    ) {
      problems.push(`${label}.${field} must be an absolute https URL when present`);
    }
  }
  return problems.length > 0 ? { problems } : { metadata: record as IdentityProviderMetadata, problems };
}

/**
 * Reads and validates a static metadata file (IDENTITY_SERVER_METADATA_FILE).
 * @throws IdentityConfigurationError when the file is missing, not JSON, or incomplete.
 */
export async function readMetadataFile(
  path: string,
  allowInsecureHttp: boolean,
): Promise<IdentityProviderMetadata> {
  const label = `metadataFile (IDENTITY_SERVER_METADATA_FILE) ${path}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? 'is not valid JSON' : 'cannot be read';
    throw new IdentityConfigurationError([`${label} ${reason}`]);
  }
  const checked = validateServerMetadata(parsed, label, allowInsecureHttp);
  if (checked.metadata === undefined) throw new IdentityConfigurationError(checked.problems);
  return checked.metadata;
}
