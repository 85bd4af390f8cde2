/**
 * Client ID Metadata Documents (MCP authorization 2025-11-25 §5.1, 2026-07-28
 * client-registration §1): an https client_id is fetched, checked and used
 * without registration; everything unsafe about the fetch is refused.
 */
import assert from 'node:assert/strict';
import dns from 'node:dns';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  authorizationUrl,
  createPkce,
  loginWith,
  postForm,
  readJson,
  type TokenAnswer,
} from '../../support/raw-oauth.ts';
import { authorizeWithSdk } from '../../support/sdk-oauth-client.ts';
import { startTestProxy, type TestProxy } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';
import {
  PUBLIC_LOOKING_NAME,
  startMetadataDocumentHost,
  type MetadataDocumentHost,
} from './metadata-document-host.ts';
import { SpecOAuthClient } from './spec-oauth-client.ts';

const REDIRECT_URI = 'http://127.0.0.1:33418/callback';
const DOCUMENT = {
  client_name: 'Hosted Test Client',
  redirect_uris: [REDIRECT_URI],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
};

/** What the browser gets for an authorization request with this client_id: the page, or where it was sent. */
async function openAuthorization(
  proxy: TestProxy,
  clientId: string,
  redirectUri = REDIRECT_URI,
): Promise<{ status: number; html: string; location: URL | undefined }> {
  const url = authorizationUrl(
    proxy.baseUrl,
    { client_id: clientId, redirect_uris: [redirectUri] },
    createPkce(),
  );
  const result = await new UserAgent().follow(url, (location) => location.href.startsWith(redirectUri));
  if (result.response === undefined) return { status: 302, html: '', location: result.final };
  return { status: result.response.status, html: await result.response.text(), location: undefined };
}

describe('client ID metadata documents (CIMD)', () => {
  let host: MetadataDocumentHost;
  let proxy: TestProxy;
  /** A whole login as the client the document at `documentUrl` describes; fails unless a code comes back. */
  const logInAs = async (documentUrl: string, username: string): Promise<void> => {
    const login = await loginWith(
      authorizationUrl(
        proxy.baseUrl,
        { client_id: documentUrl, redirect_uris: [REDIRECT_URI] },
        createPkce(),
      ),
      REDIRECT_URI,
      username,
    );
    assert.ok(login.code, login.callback.href);
  };
  before(async () => {
    host = await startMetadataDocumentHost();
    proxy = await startTestProxy();
  });
  after(async () => {
    await proxy.close();
    await host.close();
  });

  // req: A4.6, A5.4
  it('advertises client_id_metadata_document_supported in the AS metadata', async () => {
    const metadata = await readJson(await fetch(`${proxy.baseUrl}/.well-known/oauth-authorization-server`));
    assert.equal(metadata.body.client_id_metadata_document_supported, true);
  });

  // req: A5.4, A5.5
  it('lets the SDK client log in with its clientMetadataUrl, without registering, and call a tool', async () => {
    const documentUrl = host.serveDocument('/oauth/sdk-client-metadata', DOCUMENT);
    const client = new SpecOAuthClient({ redirectUrl: REDIRECT_URI, clientMetadataUrl: documentUrl });
    const { tokens } = await authorizeWithSdk(proxy.mcpUrl, client, new UserAgent(), { username: 'alice' });
    assert.deepEqual(client.clientIds, [documentUrl], 'the URL is the client_id; nothing was registered');
    assert.equal(
      proxy.logs.filter((line) => line.event === 'oauth.client_registered').length,
      0,
      'no dynamic registration happened',
    );
    assert.ok(host.hits('/oauth/sdk-client-metadata') >= 1);

    const mcp = new Client({ name: 'cimd-client', version: '1.0.0' });
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL(proxy.mcpUrl), {
        requestInit: { headers: { authorization: `Bearer ${tokens.access_token}` } },
      }),
    );
    const result = await mcp.callTool({ name: 'whoami', arguments: {} });
    assert.match(JSON.stringify(result.content), /alice/);
    await mcp.close();

    const refreshed = await postForm<TokenAnswer>(
      `${proxy.baseUrl}/token`,
      { method: 'none', clientId: documentUrl },
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' },
    );
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
  });

  // req: A5.6
  it('names the client and the domain that published its document on the confirmation page', async () => {
    const documentUrl = host.serveDocument('/oauth/named-client', { ...DOCUMENT, client_name: 'Docs Bot' });
    const page = await openAuthorization(proxy, documentUrl);
    assert.equal(page.status, 200);
    assert.match(page.html, /Docs Bot/);
    assert.match(page.html, /<span class="value host">127\.0\.0\.1<\/span>/, 'the redirect host');
    assert.ok(page.html.includes(documentUrl), 'the client_id URL is shown');
    assert.match(page.html, /on this computer only/, 'a localhost-only client is flagged');
    assert.match(page.html, /class="value host cimd-domain">localhost</);
  });

  // req: A5.5
  it('fetches a document once and serves later requests from its cache (Cache-Control)', async () => {
    const documentUrl = host.serveDocument('/oauth/cached-client', DOCUMENT, {
      'cache-control': 'public, max-age=3600',
    });
    for (const username of ['alice', 'bob']) await logInAs(documentUrl, username);
    assert.equal(host.hits('/oauth/cached-client'), 1);
  });

  // req: A5.5
  it('fetches the document again once its max-age has passed, and not before', async (t) => {
    const documentUrl = host.serveDocument('/oauth/expiring-client', DOCUMENT, {
      'cache-control': 'public, max-age=60',
    });
    const logIn = () => logInAs(documentUrl, 'alice');
    // oidc-provider's document cache reads Date.now(): moving the date moves its clock (timers run as usual).
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    await logIn();
    assert.equal(host.hits('/oauth/expiring-client'), 1);
    t.mock.timers.tick(30_000);
    await logIn();
    assert.equal(host.hits('/oauth/expiring-client'), 1, 'still fresh after 30 s');
    t.mock.timers.tick(31_000);
    await logIn();
    assert.equal(host.hits('/oauth/expiring-client'), 2, 'fetched again after 61 s');
  });

  // req: A6.5
  it('accepts any port for a loopback redirect URI listed without one (Claude Code’s document)', async () => {
    const documentUrl = host.serveDocument('/oauth/portless-loopback', {
      ...DOCUMENT,
      redirect_uris: ['http://localhost/callback', 'http://127.0.0.1/callback'],
    });
    for (const redirectUri of ['http://127.0.0.1:51234/callback', 'http://localhost:40999/callback']) {
      const login = await loginWith(
        authorizationUrl(
          proxy.baseUrl,
          { client_id: documentUrl, redirect_uris: [redirectUri] },
          createPkce(),
        ),
        redirectUri,
      );
      assert.ok(login.code, `${redirectUri}: ${login.callback.href}`);
    }
  });

  describe('refusals: an error page, never a redirect to the client', () => {
    const refused = async (clientId: string, redirectUri = REDIRECT_URI) => {
      const page = await openAuthorization(proxy, clientId, redirectUri);
      assert.equal(page.location, undefined, `redirected to ${page.location?.href}`);
      assert.ok(page.status >= 400 && page.status < 500, `status ${page.status}`);
      return page;
    };

    // req: A5.5
    it('refuses a redirect_uri that the document does not list', async () => {
      const documentUrl = host.serveDocument('/oauth/strict-client', DOCUMENT);
      await refused(documentUrl, 'http://127.0.0.1:33418/elsewhere');
    });

    // req: A5.5
    it('refuses a document whose client_id is not its own URL', async () => {
      host.serve('/oauth/impostor', { body: { ...DOCUMENT, client_id: 'https://claude.ai/oauth/impostor' } });
      const page = await refused(host.url('/oauth/impostor'));
      assert.match(page.html, /describes itself at/, 'the page blames the document, not a lost registration');
    });

    // req: A5.5
    it('refuses a document that is not JSON, or has no redirect_uris', async () => {
      host.serve('/oauth/not-json', { body: '<html>hello</html>' });
      await refused(host.url('/oauth/not-json'));
      const url = host.url('/oauth/no-redirects');
      host.serve('/oauth/no-redirects', { body: { client_id: url, client_name: 'x' } });
      await refused(url);
    });

    // req: A6.4
    it('refuses a document with a plain-http redirect URI that is not loopback', async () => {
      const documentUrl = host.serveDocument('/oauth/http-redirect', {
        ...DOCUMENT,
        redirect_uris: ['http://evil.example/callback'],
      });
      await refused(documentUrl, 'http://evil.example/callback');
    });

    // req: A5.6
    it('refuses a redirect response instead of following it', async () => {
      const target = host.serveDocument('/oauth/real-document', DOCUMENT);
      host.serve('/oauth/moved', { status: 302, headers: { location: target } });
      await refused(host.url('/oauth/moved'));
      assert.equal(host.hits('/oauth/real-document'), 0, 'the redirect was not followed');
    });

    // req: A5.6
    it('refuses a document larger than 5 KiB', async () => {
      const documentUrl = host.serveDocument('/oauth/huge', {
        ...DOCUMENT,
        client_name: 'x'.repeat(6 * 1024),
      });
      await refused(documentUrl);
    });

    // req: A5.6
    it('refuses a document that does not answer in time', async () => {
      host.serve('/oauth/slow', { hang: true });
      await refused(host.url('/oauth/slow'));
    });

    // req: A6.2
    it('does not treat an http client_id as a document URL (it is an unknown client)', async () => {
      const page = await refused('http://localhost/oauth/plain-http');
      assert.match(page.html, /invalid_client|not registered/);
    });

    it('logs no server error for any refusal', () => {
      const serverErrors = proxy.logs.filter(
        (line) => line.event === 'oauth.server_error' || line.event === 'http.unhandled_error',
      );
      assert.deepEqual(serverErrors, []);
    });
  });
});

describe('client ID metadata documents on private addresses (MCP_AUTH_PROXY_CIMD_ALLOW_PRIVATE_ADDRESSES=false)', () => {
  let host: MetadataDocumentHost;
  let proxy: TestProxy;
  before(async () => {
    host = await startMetadataDocumentHost();
    proxy = await startTestProxy({ env: { MCP_AUTH_PROXY_CIMD_ALLOW_PRIVATE_ADDRESSES: 'false' } });
  });
  after(async () => {
    await proxy.close();
    await host.close();
  });

  // req: A5.6
  it('refuses loopback hosts without fetching (SSRF), by name and by address', async () => {
    const byName = host.serveDocument('/oauth/local-by-name', DOCUMENT);
    const byAddress = byName.replace('//localhost:', '//127.0.0.1:');
    for (const clientId of [byName, byAddress]) {
      const page = await openAuthorization(proxy, clientId);
      assert.equal(page.location, undefined);
      assert.ok(page.status >= 400 && page.status < 500, `status ${page.status}`);
    }
    assert.equal(host.hits('/oauth/local-by-name'), 0, 'nothing was fetched');
    const refused = proxy.logs
      .filter((line) => line.event === 'oauth.client_metadata_document_refused')
      .map((line) => line.clientId);
    assert.deepEqual([...new Set(refused)].sort(), [byAddress, byName].sort());
  });

  // req: A5.6
  it('refuses a public-looking name whose DNS answer is a loopback address, at connect time', async (t) => {
    const path = '/oauth/rebound';
    const documentUrl = host.url(path).replace('//localhost:', `//${PUBLIC_LOOKING_NAME}:`);
    host.serve(path, { body: { client_id: documentUrl, ...DOCUMENT } });
    // The DNS answer an attacker controls: the name passes every check on the URL, the address does not.
    const realLookup = dns.lookup.bind(dns);
    t.mock.method(dns, 'lookup', (hostname: string, ...rest: unknown[]) => {
      const callback = rest.at(-1) as (...args: unknown[]) => void;
      const options = (rest.length > 1 ? rest[0] : {}) as { all?: boolean } | number;
      if (hostname !== PUBLIC_LOOKING_NAME)
        return (realLookup as (...args: unknown[]) => void)(hostname, ...rest);
      const address = { address: '127.0.0.1', family: 4 };
      if (typeof options === 'object' && options.all === true) callback(null, [address]);
      else callback(null, address.address, address.family);
    });
    const page = await openAuthorization(proxy, documentUrl);
    assert.equal(page.location, undefined);
    assert.ok(page.status >= 400 && page.status < 500, `status ${page.status}`);
    assert.equal(host.hits(path), 0, 'no request reached the address');
    assert.ok(
      (dns.lookup as unknown as { mock: { callCount(): number } }).mock.callCount() > 0,
      'the proxy did resolve the name (the refusal is not the URL check)',
    );
  });
});
