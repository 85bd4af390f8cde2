/**
 * A small but real OAuth 2.0 / OpenID Connect identity provider for tests (node:http + jose on
 * 127.0.0.1, port 0). Every end-to-end test logs in through it, so it checks what a strict IdP
 * checks (client authentication, exact redirect URI, PKCE S256, single-use codes) and exposes
 * switches for the failures the proxy must survive.
 *
 * Modes: `oidc` (discovery, RS256 id_token with nonce, userinfo, JWKS) and `heroku` (no id_token,
 * RFC 8414 metadata only, `user_id` and `session_nonce` in token responses, like id.heroku.com).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { systemClock, type Clock } from '../../src/shared/clock.ts';
import { constantTimeEqual, sha256Base64Url } from '../../src/shared/crypto.ts';
import { FakeIdpSessions } from './fake-idp-sessions.ts';

export type FakeIdpMode = 'oidc' | 'heroku';
/** What the next refresh grants get: success with rotation, a rejection, a 500, or no answer at all. */
export type RefreshBehaviour = 'ok' | 'invalid_grant' | 'server_error' | 'hang';
/** What discovery requests get. */
export type DiscoveryBehaviour = 'ok' | 'server_error' | 'hang';
/** A defect put into the next id_token issued, to prove the client refuses it. */
export type IdTokenTamper = 'wrong_nonce' | 'foreign_key' | 'wrong_audience' | 'wrong_issuer' | 'expired';

/**
 * Claims a user's tokens carry besides `sub` (groups, roles, email, anything): in the id_token, in
 * the userinfo response, or both. Set them per user name, at any time (a changed group takes effect
 * at the next sign-in or refresh, as at a real IdP).
 */
export interface UserClaims {
  readonly idToken?: Readonly<Record<string, unknown>>;
  /** Laid over the default userinfo (`preferred_username`, `name`, `email: <user>@example.test`). */
  readonly userinfo?: Readonly<Record<string, unknown>>;
}

export interface FakeIdpOptions {
  readonly mode: FakeIdpMode;
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** Exact redirect URIs registered for the client; also settable later through `idp.redirectUris`. */
  readonly redirectUris?: readonly string[];
  readonly accessTokenTtlSeconds?: number;
  /** Skip the login form and log this user in at once. */
  readonly autoLoginAs?: string;
  /** Remember logins in a session cookie (fake-idp-sessions.ts); off: every authorization shows the form. */
  readonly rememberLogins?: boolean;
  /** Fields added to every token res (e.g. Salesforce `instance_url`, `id`, `signature`). */
  readonly tokenResponseExtras?: Readonly<Record<string, unknown>>;
  readonly clock?: Clock;
}

/** Requests served, per kind (`token` counts authorization_code grants, `refresh` refresh grants). */
export interface FakeIdpCounts {
  discovery: number;
  authorize: number;
  login: number;
  token: number;
  refresh: number;
  userinfo: number;
  jwks: number;
}

export interface FakeIdp {
  readonly mode: FakeIdpMode;
  /** Base URL, `http://127.0.0.1:<port>`; also the issuer. */
  readonly url: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  redirectUris: string[];
  autoLoginAs: string | undefined;
  rememberLogins: boolean;
  accessTokenTtlSeconds: number;
  /** The next authorization request is answered with this `error` (then it resets). */
  nextAuthorizationError: string | undefined;
  refreshBehaviour: RefreshBehaviour;
  discoveryBehaviour: DiscoveryBehaviour;
  tamperNextIdToken: IdTokenTamper | undefined;
  readonly counts: FakeIdpCounts;
  /** How the client authenticated at the last token request (set by the fake). */
  lastClientAuthMethod: 'client_secret_basic' | 'client_secret_post' | undefined;
  /** The parameters of the last authorization request (set by the fake). */
  lastAuthorizationRequest: URLSearchParams | undefined;
  /** Per user name: the claims their id_token and userinfo carry (see UserClaims). */
  readonly userClaims: Map<string, UserClaims>;
  /** RFC 8414 metadata of this IdP. */
  metadata(): Record<string, unknown>;
  /** Writes the metadata as JSON into `dir` and returns the file's path (for IDENTITY_SERVER_METADATA_FILE). */
  writeMetadataFile(dir: string): Promise<string>;
  /** The id this IdP gives a username (`sub`, `user_id`). */
  userIdFor(username: string): string;
  isValidAccessToken(token: string): boolean;
  /** The username an access token was issued to, while it is valid. */
  userForAccessToken(token: string): string | undefined;
  /** Invalidates every access token issued so far: the next upstream call gets 401. */
  expireAccessTokens(): void;
  /** Follows an authorization URL as a browser would (the form when shown) and returns the redirect back. */
  authorizeAs(authorizationUrl: string | URL, username?: string): Promise<URL>;
  close(): Promise<void>;
}

interface CodeRecord {
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly scope: string;
  readonly nonce: string | undefined;
  readonly username: string;
  readonly expiresAtMs: number;
  used: boolean;
  readonly accessTokens: string[];
}

interface TokenRecord {
  readonly username: string;
  readonly scope: string;
  readonly expiresAtMs: number;
}

const CODE_TTL_MS = 60_000;
const MAX_BODY_BYTES = 64 * 1024;
const AUTHORIZATION_FIELDS =
  'client_id redirect_uri response_type scope state nonce code_challenge code_challenge_method'.split(' ');

const LOGIN_FIELDS =
  '<label>Username <input name="username" autofocus></label>\n<button type="submit">Sign in</button>';

const random = (): string => randomBytes(24).toString('base64url');
const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64. */
const formDecode = (value: string): string => decodeURIComponent(value.replace(/\+/g, ' '));

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: object = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function invalidGrant(res: ServerResponse, description: string): void {
  sendJson(res, 400, { error: 'invalid_grant', error_description: description });
}

function redirect(res: ServerResponse, target: string, params: Record<string, string | undefined>): void {
  const url = new URL(target);
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(name, value);
  res.writeHead(302, { location: url.href, 'cache-control': 'no-store' });
  res.end();
}

/** Starts a fake IdP; close it with `idp.close()`. */
export async function startFakeIdp(options: FakeIdpOptions): Promise<FakeIdp> {
  const clock = options.clock ?? systemClock;
  const signing = await generateKeyPair('RS256');
  const foreign = await generateKeyPair('RS256');
  const kid = random().slice(0, 12);
  const publicJwk = { ...(await exportJWK(signing.publicKey)), kid, alg: 'RS256', use: 'sig' };
  const codes = new Map<string, CodeRecord>();
  const accessTokens = new Map<string, TokenRecord>();
  const refreshTokens = new Map<string, TokenRecord>();
  const sessions = new FakeIdpSessions();
  const hanging = new Set<ServerResponse>();

  const server = createServer((request, res) => {
    handle(request, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: String(error) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const idp: FakeIdp = {
    mode: options.mode,
    url,
    issuer: url,
    clientId: options.clientId ?? 'fake-idp-client',
    clientSecret: options.clientSecret ?? random(),
    redirectUris: [...(options.redirectUris ?? [])],
    autoLoginAs: options.autoLoginAs,
    rememberLogins: options.rememberLogins ?? false,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    nextAuthorizationError: undefined,
    refreshBehaviour: 'ok',
    discoveryBehaviour: 'ok',
    tamperNextIdToken: undefined,
    counts: { discovery: 0, authorize: 0, login: 0, token: 0, refresh: 0, userinfo: 0, jwks: 0 },
    lastClientAuthMethod: undefined,
    lastAuthorizationRequest: undefined,
    userClaims: new Map(),
    metadata,
    async writeMetadataFile(dir) {
      const path = join(dir, `fake-idp-${options.mode}-metadata.json`);
      await writeFile(path, JSON.stringify(metadata(), null, 2));
      return path;
    },
    userIdFor: (username) => `uid-${username}`,
    isValidAccessToken: (token) => liveAccessToken(token) !== undefined,
    userForAccessToken: (token) => liveAccessToken(token)?.username,
    expireAccessTokens: () => accessTokens.clear(),
    authorizeAs,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
  return idp;

  function metadata(): Record<string, unknown> {
    const common = {
      issuer: url,
      authorization_endpoint: `${url}/authorize`,
      token_endpoint: `${url}/token`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      authorization_response_iss_parameter_supported: true,
    };
    if (options.mode === 'heroku')
      return { ...common, scopes_supported: ['global', 'identity', 'read', 'write'] };
    return {
      ...common,
      jwks_uri: `${url}/jwks`,
      userinfo_endpoint: `${url}/userinfo`,
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    };
  }

  function liveAccessToken(token: string): TokenRecord | undefined {
    const record = accessTokens.get(token);
    return record !== undefined && record.expiresAtMs > clock.nowMs() ? record : undefined;
  }

  async function handle(request: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestUrl = new URL(request.url ?? '/', url);
    const route = `${request.method ?? 'GET'} ${requestUrl.pathname}`;
    switch (route) {
      case 'GET /.well-known/openid-configuration':
      case 'GET /.well-known/oauth-authorization-server':
        return discovery(res, requestUrl.pathname.endsWith('openid-configuration'));
      case 'GET /authorize':
        return authorize(requestUrl.searchParams, res, request);
      case 'POST /login':
        return login(await readForm(request), res);
      case 'POST /token':
        return token(request, await readForm(request), res);
      case 'GET /userinfo':
      case 'POST /userinfo':
        if (options.mode === 'oidc') return userinfo(request, res);
        break;
      case 'GET /jwks':
        if (options.mode === 'oidc') {
          idp.counts.jwks += 1;
          return sendJson(res, 200, { keys: [publicJwk] });
        }
        break;
      default:
        break;
    }
    sendJson(res, 404, { error: 'not_found' });
  }

  function discovery(res: ServerResponse, openIdConfiguration: boolean): void {
    idp.counts.discovery += 1;
    if (idp.discoveryBehaviour === 'hang') {
      hanging.add(res);
      return;
    }
    if (idp.discoveryBehaviour === 'server_error') return sendJson(res, 500, { error: 'server_error' });
    if (openIdConfiguration && options.mode === 'heroku') return sendJson(res, 404, { error: 'not_found' });
    sendJson(res, 200, metadata());
  }

  /** Problems that must not be redirected (RFC 6749 §4.1.2.1): unknown client, unregistered redirect URI. */
  function unredirectable(params: URLSearchParams): string | undefined {
    if (params.get('client_id') !== idp.clientId) return 'unknown client_id';
    if (!idp.redirectUris.includes(params.get('redirect_uri') ?? '')) return 'redirect_uri is not registered';
    return undefined;
  }

  function redirectable(params: URLSearchParams): string | undefined {
    if (params.get('response_type') !== 'code') return 'unsupported_response_type';
    if (!params.get('code_challenge') || params.get('code_challenge_method') !== 'S256')
      return 'invalid_request';
    return undefined;
  }

  function authorize(params: URLSearchParams, res: ServerResponse, request: IncomingMessage): void {
    idp.counts.authorize += 1;
    idp.lastAuthorizationRequest = new URLSearchParams(params);
    const fatal = unredirectable(params);
    if (fatal !== undefined) return page(res, 400, `<p>${escapeHtml(fatal)}</p>`);
    const back = { state: params.get('state') ?? undefined, iss: url };
    const error = idp.nextAuthorizationError ?? redirectable(params);
    if (error !== undefined) {
      idp.nextAuthorizationError = undefined;
      return redirect(res, params.get('redirect_uri')!, { error, ...back });
    }
    if (idp.autoLoginAs !== undefined) return issueCode(params, idp.autoLoginAs, res);
    const loggedIn = idp.rememberLogins ? sessions.userOf(request) : undefined;
    if (loggedIn !== undefined) return issueCode(params, loggedIn, res);
    const hidden = AUTHORIZATION_FIELDS.filter((name) => params.has(name))
      .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(params.get(name)!)}">`)
      .join('\n');
    page(res, 200, `<form method="post" action="/login">\n${hidden}\n${LOGIN_FIELDS}\n</form>`);
  }

  function login(form: URLSearchParams, res: ServerResponse): void {
    idp.counts.login += 1;
    const problem = unredirectable(form) ?? redirectable(form);
    const username = form.get('username')?.trim() ?? '';
    if (problem !== undefined || username === '') return page(res, 400, '<p>invalid login request</p>');
    if (idp.rememberLogins) sessions.start(res, username);
    issueCode(form, username, res);
  }

  function issueCode(params: URLSearchParams, username: string, res: ServerResponse): void {
    const code = random();
    codes.set(code, {
      redirectUri: params.get('redirect_uri')!,
      codeChallenge: params.get('code_challenge')!,
      scope: params.get('scope') ?? '',
      nonce: params.get('nonce') ?? undefined,
      username,
      expiresAtMs: clock.nowMs() + CODE_TTL_MS,
      used: false,
      accessTokens: [],
    });
    redirect(res, params.get('redirect_uri')!, {
      code,
      state: params.get('state') ?? undefined,
      iss: url,
    });
  }

  /** RFC 6749 §2.3.1: HTTP Basic or client_secret_post, never both. */
  function authenticateClient(request: IncomingMessage, form: URLSearchParams): string | undefined {
    const header = request.headers.authorization;
    const postedSecret = form.get('client_secret');
    if (header?.startsWith('Basic ')) {
      if (postedSecret !== null) return 'invalid_request';
      const [, id = '', secret = ''] =
        /^([^:]*):?(.*)$/s.exec(Buffer.from(header.slice(6), 'base64').toString()) ?? [];
      idp.lastClientAuthMethod = 'client_secret_basic';
      return formDecode(id) === idp.clientId && constantTimeEqual(formDecode(secret), idp.clientSecret)
        ? undefined
        : 'invalid_client';
    }
    if (postedSecret === null) return 'invalid_client';
    idp.lastClientAuthMethod = 'client_secret_post';
    return form.get('client_id') === idp.clientId && constantTimeEqual(postedSecret, idp.clientSecret)
      ? undefined
      : 'invalid_client';
  }

  async function token(request: IncomingMessage, form: URLSearchParams, res: ServerResponse): Promise<void> {
    const clientError = authenticateClient(request, form);
    if (clientError === 'invalid_client') {
      const challenge = request.headers.authorization
        ? { 'www-authenticate': 'Basic realm="fake-idp"' }
        : undefined;
      return sendJson(res, 401, { error: 'invalid_client' }, challenge);
    }
    if (clientError !== undefined) return sendJson(res, 400, { error: clientError });
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') return authorizationCodeGrant(form, res);
    if (grantType === 'refresh_token') return refreshGrant(form, res);
    sendJson(res, 400, { error: 'unsupported_grant_type' });
  }

  async function authorizationCodeGrant(form: URLSearchParams, res: ServerResponse): Promise<void> {
    idp.counts.token += 1;
    const record = codes.get(form.get('code') ?? '');
    if (record === undefined) return invalidGrant(res, 'unknown code');
    if (record.used) {
      // RFC 6749 §4.1.2: a replayed code revokes what it issued.
      for (const accessToken of record.accessTokens) accessTokens.delete(accessToken);
      return invalidGrant(res, 'code already used');
    }
    record.used = true;
    if (record.expiresAtMs <= clock.nowMs()) return invalidGrant(res, 'code expired');
    if (form.get('redirect_uri') !== record.redirectUri) {
      return invalidGrant(res, 'redirect_uri mismatch');
    }
    const verifier = form.get('code_verifier') ?? '';
    if (!constantTimeEqual(sha256Base64Url(verifier), record.codeChallenge)) {
      return invalidGrant(res, 'PKCE verification failed');
    }
    const body = await issueTokens(record.username, record.scope, record.nonce);
    record.accessTokens.push(body['access_token'] as string);
    sendJson(res, 200, body);
  }

  async function refreshGrant(form: URLSearchParams, res: ServerResponse): Promise<void> {
    idp.counts.refresh += 1;
    switch (idp.refreshBehaviour) {
      case 'hang':
        hanging.add(res);
        return;
      case 'server_error':
        return sendJson(res, 500, { error: 'server_error' });
      case 'invalid_grant':
        return invalidGrant(res, 'refresh token revoked');
      case 'ok':
        break;
    }
    const presented = form.get('refresh_token') ?? '';
    const record = refreshTokens.get(presented);
    if (record === undefined) return invalidGrant(res, 'unknown refresh token');
    refreshTokens.delete(presented);
    sendJson(res, 200, await issueTokens(record.username, record.scope));
  }

  async function issueTokens(
    username: string,
    scope: string,
    nonce?: string,
  ): Promise<Record<string, unknown>> {
    const accessToken = random();
    const refreshToken = random();
    const expiresAtMs = clock.nowMs() + idp.accessTokenTtlSeconds * 1000;
    accessTokens.set(accessToken, { username, scope, expiresAtMs });
    refreshTokens.set(refreshToken, { username, scope, expiresAtMs: Number.POSITIVE_INFINITY });
    const body: Record<string, unknown> = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: idp.accessTokenTtlSeconds,
      refresh_token: refreshToken,
      scope,
      ...options.tokenResponseExtras,
    };
    if (options.mode === 'heroku') {
      body['user_id'] = idp.userIdFor(username);
      body['session_nonce'] = random();
    } else if (scope.split(' ').includes('openid')) {
      // OIDC Core §12.2: a refreshed id_token carries no nonce (refresh passes none).
      body['id_token'] = await idToken(username, nonce);
    }
    return body;
  }

  async function idToken(username: string, nonce: string | undefined): Promise<string> {
    const tamper = idp.tamperNextIdToken;
    idp.tamperNextIdToken = undefined;
    const nowSeconds = Math.floor(clock.nowMs() / 1000);
    const issuedAt = tamper === 'expired' ? nowSeconds - 7200 : nowSeconds;
    const claims: Record<string, unknown> = { ...idp.userClaims.get(username)?.idToken, auth_time: issuedAt };
    const effectiveNonce = tamper === 'wrong_nonce' ? 'not-the-nonce-that-was-sent' : nonce;
    if (effectiveNonce !== undefined) claims['nonce'] = effectiveNonce;
    const key: CryptoKey = tamper === 'foreign_key' ? foreign.privateKey : signing.privateKey;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(tamper === 'wrong_issuer' ? `${url}/elsewhere` : url)
      .setSubject(idp.userIdFor(username))
      .setAudience(tamper === 'wrong_audience' ? 'another-client' : idp.clientId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + 3600)
      .sign(key);
  }

  function userinfo(request: IncomingMessage, res: ServerResponse): void {
    idp.counts.userinfo += 1;
    const header = request.headers.authorization ?? '';
    const record = /^Bearer /i.test(header) ? liveAccessToken(header.slice(7)) : undefined;
    if (record === undefined) {
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' });
      return void res.end();
    }
    const { username } = record;
    sendJson(res, 200, {
      sub: idp.userIdFor(username),
      preferred_username: username,
      name: username,
      email: `${username}@example.test`,
      ...idp.userClaims.get(username)?.userinfo,
    });
  }

  function page(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`<!doctype html>\n<html><head><title>Fake IdP</title></head><body>\n${body}\n</body></html>`);
  }

  async function authorizeAs(authorizationUrl: string | URL, username?: string): Promise<URL> {
    const first = await fetch(authorizationUrl, { redirect: 'manual' });
    const location = first.headers.get('location');
    if (location !== null) return new URL(location);
    const html = await first.text();
    if (first.status !== 200) throw new Error(`fake IdP answered ${first.status}: ${html}`);
    if (username === undefined) throw new Error('the fake IdP shows its login form: pass a username');
    const form = new URLSearchParams();
    for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
      form.set(
        match[1]!,
        match[2]!.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))),
      );
    }
    form.set('username', username);
    const second = await fetch(`${url}/login`, { method: 'POST', body: form, redirect: 'manual' });
    const back = second.headers.get('location');
    if (back === null) throw new Error(`fake IdP login answered ${second.status}: ${await second.text()}`);
    return new URL(back);
  }
}
