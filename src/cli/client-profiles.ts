/**
 * What well-known MCP clients send to the registration endpoint (RFC 7591),
 * for `mcp-auth-proxy doctor`. The facts live in one table,
 * src/oauth/client-profiles.ts, which the end-to-end suite also runs row by
 * row (test/e2e/client-profiles.test.ts); doctor replays its dynamic
 * registrations, each distinct payload once. Clients known only by a client ID
 * metadata document register nothing and are not probed here.
 */
import { CLIENT_PROFILES as ALL_PROFILES, type RegistrationMetadata } from '../oauth/client-profiles.ts';

export interface ClientProfile {
  readonly name: string;
  /** The registration request body, before doctor marks `client_name` as its own. */
  readonly registration: RegistrationMetadata;
  /** Browser clients register cross-origin: sent as `Origin`, and CORS is checked on the answer. */
  readonly origin?: string;
  /** What the user of this client sees when registration fails. */
  readonly whenRefused: string;
}

function registrationProfiles(): ClientProfile[] {
  const seen = new Set<RegistrationMetadata>();
  const profiles: ClientProfile[] = [];
  for (const profile of ALL_PROFILES) {
    if (profile.registration.kind !== 'dynamic' || seen.has(profile.registration.metadata)) continue;
    seen.add(profile.registration.metadata);
    profiles.push({
      name: profile.name,
      registration: profile.registration.metadata,
      ...(profile.origin === undefined ? {} : { origin: profile.origin }),
      whenRefused: profile.whenRefused,
    });
  }
  return profiles;
}

export const CLIENT_PROFILES: readonly ClientProfile[] = registrationProfiles();
