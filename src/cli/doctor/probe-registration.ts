import type { ClientProfile } from '../client-profiles.ts';
import { fail, pass, type Finding } from '../output.ts';
import { isObject, probe, summarize } from './http-probe.ts';

/** Marks what doctor registered, so an operator can tell it apart in `clients list`. */
export const DOCTOR_CLIENT_NAME_SUFFIX = ' (mcp-auth-proxy doctor)';

/**
 * Registers one client per profile with the payload that client sends
 * (RFC 7591 §3.1). It passes when the server answers 201 with a client_id and
 * keeps every redirect URI: a server that drops one breaks that client's
 * sign-in later, with a less helpful error.
 */
export async function probeRegistration(
  registrationEndpoint: string,
  profile: ClientProfile,
  timeoutMs: number,
): Promise<Finding> {
  const name = `registration: ${profile.name}`;
  const body = {
    ...profile.registration,
    client_name: profile.registration.client_name + DOCTOR_CLIENT_NAME_SUFFIX,
  };
  const result = await probe(
    registrationEndpoint,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(profile.origin === undefined ? {} : { origin: profile.origin }),
      },
      body: JSON.stringify(body),
    },
    timeoutMs,
  );
  const fix = `Accept ${profile.name}'s registration: redirect URIs ${profile.registration.redirect_uris.join(', ')}.`;
  if (!result.ok)
    return fail(name, `POST ${registrationEndpoint} failed: ${result.error}; ${profile.whenRefused}`, fix);
  const { answer } = result;
  const clientId = isObject(answer.json) ? answer.json['client_id'] : undefined;
  if ((answer.status !== 201 && answer.status !== 200) || typeof clientId !== 'string') {
    return fail(name, `refused with ${summarize(answer)}: ${profile.whenRefused}`, fix);
  }
  const kept =
    isObject(answer.json) && Array.isArray(answer.json['redirect_uris']) ? answer.json['redirect_uris'] : [];
  const dropped = profile.registration.redirect_uris.filter((uri) => !kept.includes(uri));
  if (dropped.length > 0) {
    return fail(
      name,
      `registered, but without the redirect URIs ${dropped.join(', ')}: the sign-in of ${profile.name} would fail there`,
      fix,
    );
  }
  if (profile.origin !== undefined && answer.headers.get('access-control-allow-origin') === null) {
    return fail(
      name,
      `registered, but the answer has no Access-Control-Allow-Origin: ${profile.name} runs in a browser and cannot read it`,
      'Allow cross-origin POSTs to the registration endpoint.',
    );
  }
  return pass(name, `client ${clientId} with ${profile.registration.redirect_uris.length} redirect URI(s)`);
}
