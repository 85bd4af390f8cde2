import type { AdminApiConfig } from '../config.ts';
import type { EnvironmentReader } from '../environment-reader.ts';
import { bearerSecret } from '../parsers/index.ts';
import { optionalVariable, type VariableGroup } from '../variable.ts';

/**
 * The admin token revokes anyone's access: twice the length asked of the
 * metrics token, so that it is a generated secret (32 characters of base64
 * carry 192 bits), never a word someone chose.
 */
export const ADMIN_TOKEN_MIN_LENGTH = 32;

export const MCP_AUTH_PROXY_ADMIN_TOKEN = optionalVariable({
  name: 'MCP_AUTH_PROXY_ADMIN_TOKEN',
  description: `Turns on the admin HTTP API under /admin/v1/ (docs/admin-api.md: list and revoke a user's grants, list clients, for offboarding automation) for requests that carry this value as a bearer token (at least ${ADMIN_TOKEN_MIN_LENGTH} characters).`,
  example: 'Xq8vN2kR7tW4zY6mC9pL1sD5fH0jGa3bE7uK2oQ9',
  secret: true,
  heroku: 'new',
  whenUnset: 'the admin API is off: /admin/v1/ answers 404',
  parse: bearerSecret(ADMIN_TOKEN_MIN_LENGTH),
});

export const ADMIN_API_VARIABLES: VariableGroup = {
  title: 'Admin API',
  variables: [MCP_AUTH_PROXY_ADMIN_TOKEN],
};

/**
 * Undefined when the token is unset: the API is off. `metricsToken` is
 * MCP_AUTH_PROXY_METRICS_TOKEN: a scraper's credential must never also
 * revoke grants.
 */
export function readAdminApi(
  reader: EnvironmentReader,
  metricsToken: string | undefined,
): AdminApiConfig | undefined {
  const token = reader.maybe(MCP_AUTH_PROXY_ADMIN_TOKEN);
  if (token === undefined) return undefined;
  if (token === metricsToken) {
    reader.problem(
      MCP_AUTH_PROXY_ADMIN_TOKEN,
      'MCP_AUTH_PROXY_ADMIN_TOKEN must differ from MCP_AUTH_PROXY_METRICS_TOKEN: whoever scrapes the metrics must not be able to revoke grants.',
    );
  }
  return { token };
}
