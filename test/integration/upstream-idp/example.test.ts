/**
 * Runs examples/identity-login/server.ts exactly as its README tells a user to
 * (`node examples/identity-login/server.ts` with IDENTITY_* variables), so its
 * `mcp-auth-proxy/identity` import goes through package.json `exports` to the
 * built `dist/`, and signs in against the fake IdP as a browser would.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { ensureBuild, REPO_ROOT } from '../../support/ensure-build.ts';
import { startFakeIdp, type FakeIdp } from '../../support/fake-idp.ts';
import { freePort } from '../../support/free-port.ts';

const EXAMPLE_PATH = join(REPO_ROOT, 'examples', 'identity-login', 'server.ts');

interface Example {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
}

/** Starts the example as a child process and resolves once it prints that it listens. */
async function startExample(env: Record<string, string>): Promise<Example> {
  // A clean environment: nothing from the developer's shell (NODE_ENV, IDENTITY_*) leaks in.
  const child = spawn(process.execPath, [EXAMPLE_PATH], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = once(child, 'close'); // after exit and the end of its output
  const listening = (async () => {
    for await (const line of createInterface({ input: child.stdout })) {
      if (line.startsWith('Listening')) return true;
    }
    return false; // stdout closed: the example exited
  })();
  if (!(await Promise.race([listening, closed.then(() => false)]))) {
    throw new Error(`the example exited before listening:\n${stderr}`);
  }
  child.stdout.resume(); // keep draining, so the example never blocks on a full pipe
  return { child, origin: new URL(env['IDENTITY_REDIRECT_URI']!).origin };
}

async function stopExample(example: Example | undefined): Promise<void> {
  if (example === undefined || example.child.exitCode !== null) return;
  const exited = once(example.child, 'exit');
  example.child.kill();
  await exited;
}

/** The `name=value` part of a Set-Cookie header, as a browser would send it back. */
function cookieFrom(response: Response): string {
  const setCookie = response.headers.get('set-cookie');
  assert.ok(setCookie, 'the response sets a cookie');
  return setCookie.split(';')[0]!;
}

describe('examples/identity-login', () => {
  let idp: FakeIdp;
  let example: Example | undefined;

  before(async () => {
    await ensureBuild();
    idp = await startFakeIdp({ mode: 'oidc' });
    // The example listens where its redirect URI points, so the port is chosen first.
    const redirectUri = `http://127.0.0.1:${await freePort()}/callback`;
    idp.redirectUris = [redirectUri];
    example = await startExample({
      IDENTITY_CLIENT_ID: idp.clientId,
      IDENTITY_CLIENT_SECRET: idp.clientSecret,
      IDENTITY_SERVER_URL: idp.issuer,
      IDENTITY_REDIRECT_URI: redirectUri,
      EXAMPLE_ALLOW_HTTP_IDP: 'true',
      NODE_ENV: 'development',
    });
  });

  after(async () => {
    await stopExample(example);
    await idp?.close();
  });

  /** /login, then the IdP's login form as `username`; returns the callback URL and the browser's cookie. */
  async function startLogin(username: string): Promise<{ callbackUrl: URL; cookie: string }> {
    const login = await fetch(`${example!.origin}/login`, { redirect: 'manual' });
    assert.equal(login.status, 302);
    const authorizationUrl = login.headers.get('location')!;
    assert.ok(authorizationUrl.startsWith(`${idp.url}/authorize?`), 'the browser is sent to the IdP');
    const callbackUrl = await idp.authorizeAs(authorizationUrl, username);
    return { callbackUrl, cookie: cookieFrom(login) };
  }

  it('signs a user in through /login, the IdP and /callback, and shows their IdP user id', async () => {
    const { callbackUrl, cookie } = await startLogin('alice');

    const callback = await fetch(callbackUrl, { headers: { cookie }, redirect: 'manual' });

    assert.equal(callback.status, 200);
    assert.match(await callback.text(), new RegExp(`Signed in as ${idp.userIdFor('alice')}<`));
    assert.match(callback.headers.get('set-cookie')!, /Max-Age=0/, 'the state cookie is cleared');
  });

  it('refuses a callback carrying another browser’s state, and the genuine callback still succeeds', async () => {
    const victim = await startLogin('alice');
    const attacker = await startLogin('mallory');

    // The attacker's login completed in the victim's browser (RFC 6749 §10.12 login CSRF).
    const forged = await fetch(attacker.callbackUrl, {
      headers: { cookie: victim.cookie },
      redirect: 'manual',
    });
    assert.equal(forged.status, 400);
    assert.match(await forged.text(), /Sign-in failed \(invalid_callback\)/);

    const genuine = await fetch(victim.callbackUrl, { headers: { cookie: victim.cookie } });
    assert.equal(genuine.status, 200);
    assert.match(await genuine.text(), new RegExp(`Signed in as ${idp.userIdFor('alice')}<`));
  });

  it('refuses a callback without the state cookie', async () => {
    const { callbackUrl } = await startLogin('alice');

    const callback = await fetch(callbackUrl, { redirect: 'manual' });

    assert.equal(callback.status, 400);
    assert.match(await callback.text(), /No sign-in in progress/);
  });

  it('escapes the user id it shows', async () => {
    const { callbackUrl, cookie } = await startLogin('<img src=x onerror=alert(1)>');

    const page = await (await fetch(callbackUrl, { headers: { cookie } })).text();

    assert.ok(page.includes('Signed in as uid-&#60;img src=x onerror=alert(1)&#62;'), page);
    assert.ok(!page.includes('<img'));
  });
});
