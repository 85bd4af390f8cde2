/**
 * Drivers for the device authorization grant (RFC 8628): the device's side
 * (start, poll) as plain HTTP, and the person's side as a browser stand-in
 * that opens the verification URI, types the code and follows the forms.
 */
import type { FakeIdp } from './fake-idp.ts';
import { browse, expectStop, submitConfirmation, type Stop } from './login-bridge-steps.ts';
import { readForm, type UserAgent } from './user-agent.ts';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface DeviceAuthorization {
  readonly device_code: string;
  readonly user_code: string;
  readonly verification_uri: string;
  readonly verification_uri_complete: string;
  readonly expires_in: number;
  readonly interval: number;
}

export interface JsonAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function postForm(url: string, form: Record<string, string>): Promise<JsonAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Registers a public client that may use the device grant (and refresh), without redirect URIs. */
export async function registerDeviceClient(
  baseUrl: string,
  metadata: Record<string, unknown> = {},
): Promise<{ client_id: string; [field: string]: unknown }> {
  const response = await fetch(`${baseUrl}/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Device Client',
      grant_types: [DEVICE_CODE_GRANT, 'refresh_token'],
      token_endpoint_auth_method: 'none',
      ...metadata,
    }),
  });
  const body = (await response.json()) as { client_id: string };
  if (response.status !== 201)
    throw new Error(`registration failed: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** RFC 8628 §3.1: the device asks for a code pair. */
export function requestDeviceAuthorization(
  baseUrl: string,
  clientId: string,
  extra: Record<string, string> = {},
): Promise<JsonAnswer> {
  return postForm(`${baseUrl}/device/auth`, { client_id: clientId, ...extra });
}

/** The same, failing unless the server answers 200. */
export async function startDeviceAuthorization(
  baseUrl: string,
  clientId: string,
  extra: Record<string, string> = {},
): Promise<DeviceAuthorization> {
  const { status, body } = await requestDeviceAuthorization(baseUrl, clientId, extra);
  if (status !== 200) throw new Error(`device authorization failed: ${status} ${JSON.stringify(body)}`);
  return body as unknown as DeviceAuthorization;
}

/** RFC 8628 §3.4: one poll of the token endpoint. */
export function pollToken(
  baseUrl: string,
  clientId: string,
  deviceCode: string,
  extra: Record<string, string> = {},
): Promise<JsonAnswer> {
  return postForm(`${baseUrl}/token`, {
    grant_type: DEVICE_CODE_GRANT,
    device_code: deviceCode,
    client_id: clientId,
    ...extra,
  });
}

/** The person opens `url` (the verification URI) and posts the code-entry form with `userCode`. */
export async function enterUserCode(
  agent: UserAgent,
  idp: FakeIdp,
  url: string,
  userCode: string,
): Promise<Stop> {
  const targets = { idpUrl: idp.url, redirectUri: 'unused:' };
  const entry = expectStop(await browse(agent, url, targets), 'page');
  if (entry.status !== 200) throw new Error(`code entry page answered ${entry.status}`);
  return postPageForm(agent, idp, entry, (fields) => fields.set('user_code', userCode));
}

/** Posts the first form of a page as a browser would, after `edit` changes its fields. */
export async function postPageForm(
  agent: UserAgent,
  idp: FakeIdp,
  page: Stop & { at: 'page' },
  edit: (fields: URLSearchParams) => void = () => undefined,
): Promise<Stop> {
  const form = readForm(page.html, page.url.href);
  edit(form.fields);
  return browse(
    agent,
    form.action,
    { idpUrl: idp.url, redirectUri: 'unused:' },
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: form.action.origin },
      body: form.fields.toString(),
    },
  );
}

/**
 * The rest of the person's side once the confirmation page is shown: confirm,
 * sign in at the IdP as `username`, come back; returns the page they end on.
 */
export async function confirmAndSignIn(
  agent: UserAgent,
  idp: FakeIdp,
  confirmation: Stop & { at: 'page' },
  username: string,
): Promise<Stop & { at: 'page' }> {
  const targets = { idpUrl: idp.url, redirectUri: 'unused:' };
  const atIdp = expectStop(await submitConfirmation(agent, confirmation, targets), 'idp');
  const back = await idp.authorizeAs(atIdp.url, username);
  return expectStop(await browse(agent, back, targets), 'page');
}
