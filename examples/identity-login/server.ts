/**
 * The smallest complete sign-in with `mcp-auth-proxy/identity`: a plain node:http
 * server with `/login` and `/callback`, for local use.
 *
 *   IDENTITY_CLIENT_ID=my-client IDENTITY_CLIENT_SECRET=my-secret \
 *   IDENTITY_SERVER_URL=https://idp.example.com \
 *   IDENTITY_REDIRECT_URI=http://localhost:3000/callback \
 *   node examples/identity-login/server.ts
 *
 * then open http://localhost:3000/login. The server listens on the host and
 * port of IDENTITY_REDIRECT_URI and serves the callback at its path.
 * EXAMPLE_ALLOW_HTTP_IDP=true accepts an identity provider on plain http (a
 * local test IdP only).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createMemoryStorageHook, fromEnvironment, IdentityProviderError } from 'mcp-auth-proxy/identity';

const STATE_COOKIE = 'login_state';
/** As long as the client keeps a pending login (its default, 10 minutes). */
const STATE_COOKIE_MAX_AGE_SECONDS = 600;

// Reads IDENTITY_CLIENT_ID, IDENTITY_CLIENT_SECRET, IDENTITY_SERVER_URL (or
// IDENTITY_SERVER_METADATA_FILE), IDENTITY_REDIRECT_URI, IDENTITY_SCOPE and
// IDENTITY_TIMEOUT_MS, and lists every problem at once when some are wrong.
const identity = fromEnvironment({
  // Pending logins (the PKCE verifier of each) wait here between /login and
  // /callback. The memory hook refuses NODE_ENV=production: with several
  // processes use createKeyValueStorageHook(store) on a shared store instead.
  storageHook: createMemoryStorageHook({ nodeEnv: process.env.NODE_ENV }),
  allowInsecureHttp: process.env.EXAMPLE_ALLOW_HTTP_IDP === 'true',
});

const redirectUri = new URL(identity.redirectUri);
const secureCookie = redirectUri.protocol === 'https:' ? '; Secure' : '';

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  // The configured redirect URI, not the Host header, is the base of every URL we build.
  const url = new URL(request.url ?? '/', redirectUri);

  if (url.pathname === '/login') {
    // RFC 6749 §10.12: an unguessable state, remembered by this browser only,
    // is what ties the callback to the person who started the login.
    const state = randomBytes(32).toString('base64url');
    const authorizationUrl = await identity.generateAuthUrl(state);
    response.writeHead(302, {
      location: authorizationUrl,
      'set-cookie': stateCookie(state, STATE_COOKIE_MAX_AGE_SECONDS),
    });
    response.end();
    return;
  }

  if (url.pathname === redirectUri.pathname) {
    const state = readCookie(request, STATE_COOKIE);
    if (state === undefined) return send(response, 400, 'No sign-in in progress: start at /login.');
    response.setHeader('set-cookie', stateCookie('', 0)); // a state is good for one try
    // completeLogin compares this state with the one in the callback URL, checks
    // the issuer, takes the pending login (once), exchanges the code and finds
    // the user id; anything wrong is an IdentityProviderError.
    const tokens = await identity.completeLogin({ callbackUrl: url, state });
    return send(response, 200, `Signed in as ${tokens.userId}`);
  }

  send(response, 404, 'Not found: start at /login.');
}

function fail(response: ServerResponse, error: unknown): void {
  if (!(error instanceof IdentityProviderError)) {
    console.error(error);
    return send(response, 500, 'Something went wrong.');
  }
  // `failure` says what went wrong; `transient` ones (IdP down, timeout) are
  // worth a retry, `rejected` ones mean the user or the IdP said no.
  const advice = error.transient ? ' Try again in a moment.' : '';
  send(response, error.status, `Sign-in failed (${error.failure}): ${error.message}${advice}`);
}

function stateCookie(value: string, maxAgeSeconds: number): string {
  // SameSite=Lax: the cookie still comes back on the IdP's top-level redirect.
  return `${STATE_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secureCookie}`;
}

function readCookie(request: IncomingMessage, name: string): string | undefined {
  const prefix = `${name}=`;
  const pair = request.headers.cookie?.split(/;\s*/).find((part) => part.startsWith(prefix));
  const value = pair?.slice(prefix.length);
  return value === '' ? undefined : value;
}

function send(response: ServerResponse, status: number, text: string): void {
  const html = text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`); // the user id comes from the IdP
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  response.end(`<!doctype html>\n<title>Sign-in example</title>\n<p>${html}</p>\n`);
}

const server = createServer((request, response) => {
  handle(request, response).catch((error: unknown) => fail(response, error));
});
server.listen(Number(redirectUri.port || 80), redirectUri.hostname, () => {
  console.log(`Listening: open ${new URL('/login', redirectUri).href}`);
});
