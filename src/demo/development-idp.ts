import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuthError } from '../oauth/oauth-error.ts';
import { readFormBody } from '../http-kit/read-body.ts';
import { refuseOversizedBody, RequestTooLargeError } from '../http-kit/refuse-oversized-body.ts';
import { redirect, sendJson, sendOAuthError } from '../http-kit/respond.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { constantTimeEqual } from '../shared/crypto.ts';
import { pageSecurityHeaders } from '../views/index.ts';
import { assertDevelopmentIdpAllowed, type DevelopmentIdpEnvironment } from './development-idp-guard.ts';
import {
  DevelopmentIdpGrants,
  type AuthorizationRequest,
  type TokenResponse,
} from './development-idp-grants.ts';
import { renderLoginPage } from './login-page.ts';

export interface DevelopmentIdpOptions extends DevelopmentIdpEnvironment {
  /** The one client this provider knows: the proxy. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** Exact redirect URIs of the client; more can be added with `allowRedirectUri`. */
  readonly redirectUris?: readonly string[];
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly accessTokenTtlSeconds?: number;
  readonly clock?: Clock;
}

export interface DevelopmentIdp {
  /** The issuer, e.g. `http://127.0.0.1:49152`: the value of IDENTITY_SERVER_URL. */
  readonly url: string;
  /** Registers one more exact redirect URI for the client (RFC 6749 §3.1.2.2). */
  allowRedirectUri(redirectUri: string): void;
  /** The user name an access token was issued to, while it is live. */
  userForAccessToken(accessToken: string): string | undefined;
  close(): Promise<void>;
}

const MAX_FORM_BYTES = 16 * 1024;
const MAX_USERNAME_LENGTH = 64;
const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 3600;
/** The authorization request parameters the login form carries through (RFC 6749 §4.1.1, OIDC Core §3.1.2.1). */
const AUTHORIZATION_FIELDS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
] as const;
const SCOPES_SUPPORTED = ['openid', 'profile', 'email', 'offline_access'];

/**
 * A small but real OpenID Connect provider for `npm run demo`: discovery,
 * authorization with a sign-in page that accepts any user name, the token
 * endpoint (authorization code with PKCE S256 only, refresh with rotation),
 * JWKS and userinfo. It refuses to start outside local development.
 * @throws DevelopmentIdpRefusedError before listening, when NODE_ENV=production or LOCAL_INSECURE is not true.
 */
export async function startDevelopmentIdp(options: DevelopmentIdpOptions): Promise<DevelopmentIdp> {
  assertDevelopmentIdpAllowed(options);
  const redirectUris = new Set(options.redirectUris ?? []);
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof RequestTooLargeError) return refuseOversizedBody(req, res, error.limitBytes);
      if (res.headersSent) return void res.destroy();
      sendOAuthError(
        res,
        error instanceof OAuthError ? error : new OAuthError('server_error', 'unexpected error'),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  const grants = await DevelopmentIdpGrants.create({
    issuer: url,
    clock: options.clock ?? systemClock,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  });

  return {
    url,
    allowRedirectUri: (redirectUri) => void redirectUris.add(redirectUri),
    userForAccessToken: (accessToken) => grants.userForAccessToken(accessToken),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestUrl = new URL(req.url ?? '/', url);
    switch (`${req.method ?? 'GET'} ${requestUrl.pathname}`) {
      case 'GET /.well-known/openid-configuration':
      case 'GET /.well-known/oauth-authorization-server':
        return sendJson(res, 200, metadata());
      case 'GET /authorize':
        return authorize(requestUrl.searchParams, res);
      case 'POST /login':
        return login(await readFormBody(req, MAX_FORM_BYTES), res);
      case 'POST /token':
        return token(req, await readFormBody(req, MAX_FORM_BYTES), res);
      case 'GET /jwks':
        return sendJson(res, 200, { keys: [grants.publicJwk] });
      case 'GET /userinfo':
      case 'POST /userinfo':
        return userinfo(req, res);
      default:
        return sendOAuthError(
          res,
          new OAuthError('not_found', `nothing is served at ${requestUrl.pathname}`),
        );
    }
  }

  /** OpenID Connect Discovery §3, which is also valid RFC 8414 metadata. */
  function metadata(): Record<string, unknown> {
    return {
      issuer: url,
      authorization_endpoint: `${url}/authorize`,
      token_endpoint: `${url}/token`,
      userinfo_endpoint: `${url}/userinfo`,
      jwks_uri: `${url}/jwks`,
      scopes_supported: SCOPES_SUPPORTED,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      claims_supported: ['sub', 'name', 'preferred_username', 'email'],
      authorization_response_iss_parameter_supported: true,
    };
  }

  /** RFC 6749 §4.1.2.1: an unknown client or redirect URI is never redirected to. */
  function unredirectable(params: URLSearchParams): string | undefined {
    if (params.get('client_id') !== options.clientId) return 'The client_id is not known here.';
    if (!redirectUris.has(params.get('redirect_uri') ?? '')) return 'The redirect_uri is not registered.';
    return undefined;
  }

  /** Errors that go back to the client: only the code flow, and only with PKCE S256 (OAuth 2.1 §4.1.1). */
  function redirectableError(params: URLSearchParams): string | undefined {
    if (params.get('response_type') !== 'code') return 'unsupported_response_type';
    if (!params.get('code_challenge') || params.get('code_challenge_method') !== 'S256')
      return 'invalid_request';
    return undefined;
  }

  function authorize(params: URLSearchParams, res: ServerResponse, error?: string): void {
    const fatal = unredirectable(params);
    if (fatal !== undefined) return sendOAuthError(res, new OAuthError('invalid_request', fatal));
    const redirectError = redirectableError(params);
    if (redirectError !== undefined) return backToClient(res, params, { error: redirectError });
    const hiddenFields = AUTHORIZATION_FIELDS.flatMap((name) => {
      const value = params.get(name);
      return value === null ? [] : [[name, value] as const];
    });
    const html = renderLoginPage({
      hiddenFields,
      returnHost: new URL(params.get('redirect_uri') ?? url).host,
      username: params.get('username') ?? '',
      ...(error === undefined ? {} : { error }),
    });
    res.writeHead(error === undefined ? 200 : 400, {
      ...pageSecurityHeaders(),
      'content-length': Buffer.byteLength(html),
    });
    res.end(html);
  }

  function login(form: URLSearchParams, res: ServerResponse): void {
    if (unredirectable(form) !== undefined || redirectableError(form) !== undefined) {
      return authorize(form, res);
    }
    const username = (form.get('username') ?? '').trim();
    if (username === '') return authorize(form, res, 'Type a user name to sign in.');
    if (username.length > MAX_USERNAME_LENGTH || /\p{Cc}/u.test(username)) {
      return authorize(
        form,
        res,
        `Use at most ${MAX_USERNAME_LENGTH} characters, without control characters.`,
      );
    }
    const request: AuthorizationRequest = {
      clientId: options.clientId,
      redirectUri: form.get('redirect_uri') ?? '',
      scope: form.get('scope') ?? 'openid',
      codeChallenge: form.get('code_challenge') ?? '',
      nonce: form.get('nonce') ?? undefined,
    };
    backToClient(res, form, { code: grants.issueCode(request, username) });
  }

  /** RFC 6749 §4.1.2 with `state`, and `iss` (RFC 9207) so the client can tell providers apart. */
  function backToClient(res: ServerResponse, params: URLSearchParams, result: Record<string, string>): void {
    const target = new URL(params.get('redirect_uri') ?? '');
    for (const [name, value] of Object.entries(result)) target.searchParams.set(name, value);
    const state = params.get('state');
    if (state !== null) target.searchParams.set('state', state);
    target.searchParams.set('iss', url);
    redirect(res, 303, target.href);
  }

  async function token(req: IncomingMessage, form: URLSearchParams, res: ServerResponse): Promise<void> {
    const clientId = authenticateClient(req, form);
    if (clientId === undefined) {
      return sendOAuthError(res, new OAuthError('invalid_client', 'client authentication failed'), {
        'www-authenticate': 'Basic realm="development-idp"',
      });
    }
    const grantType = form.get('grant_type');
    let result: TokenResponse | string;
    if (grantType === 'authorization_code') {
      result = await grants.redeemCode(
        clientId,
        form.get('code') ?? '',
        form.get('redirect_uri') ?? '',
        form.get('code_verifier') ?? '',
      );
    } else if (grantType === 'refresh_token') {
      result = await grants.refresh(clientId, form.get('refresh_token') ?? '');
    } else {
      return sendOAuthError(
        res,
        new OAuthError('unsupported_grant_type', 'use authorization_code or refresh_token'),
      );
    }
    if (typeof result === 'string') {
      return sendOAuthError(res, new OAuthError('invalid_grant', result.replaceAll('_', ' ')));
    }
    sendJson(res, 200, result);
  }

  /** RFC 6749 §2.3.1: HTTP Basic (form-encoded parts) or client_secret_post, never both. */
  function authenticateClient(req: IncomingMessage, form: URLSearchParams): string | undefined {
    const header = req.headers.authorization;
    const postedSecret = form.get('client_secret');
    let id: string;
    let secret: string;
    if (header?.startsWith('Basic ') === true) {
      if (postedSecret !== null) return undefined;
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon === -1) return undefined;
      id = formDecode(decoded.slice(0, colon));
      secret = formDecode(decoded.slice(colon + 1));
    } else {
      id = form.get('client_id') ?? '';
      secret = postedSecret ?? '';
    }
    return id === options.clientId && constantTimeEqual(secret, options.clientSecret) ? id : undefined;
  }

  /** OIDC Core §5.3 with the bearer token of RFC 6750 §2.1. */
  function userinfo(req: IncomingMessage, res: ServerResponse): void {
    const bearer = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const username = bearer === undefined ? undefined : grants.userForAccessToken(bearer);
    if (username === undefined) {
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"', 'content-length': 0 });
      return void res.end();
    }
    sendJson(res, 200, {
      sub: username,
      preferred_username: username,
      name: username,
      email: `${username.replaceAll(/[^\w.+-]/g, '_')}@example.invalid`,
    });
  }
}

function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return value;
  }
}
