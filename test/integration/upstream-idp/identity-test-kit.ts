import {
  createIdentityClient,
  type IdentityClient,
  type IdentityClientOptions,
} from '../../../src/upstream-idp/index.ts';
import type { FakeIdp } from '../../support/fake-idp.ts';

/** The proxy's callback URL; the tests read the redirect instead of following it, so nothing listens there. */
export const REDIRECT_URI = 'http://127.0.0.1:9/interaction/identity/callback';

/** A client of the fake IdP: discovery on its issuer, plain http allowed, short time limit. */
export function clientFor(idp: FakeIdp, overrides: Partial<IdentityClientOptions> = {}): IdentityClient {
  return createIdentityClient({
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    serverUrl: idp.issuer,
    redirectUri: REDIRECT_URI,
    allowInsecureHttp: true,
    nodeEnv: 'test',
    timeoutMs: 2_000,
    ...overrides,
  });
}

/** Starts a login, lets the fake IdP sign `username` in, and returns the redirect back to the proxy. */
export async function redirectBack(
  client: IdentityClient,
  idp: FakeIdp,
  state: string,
  username = 'alice',
): Promise<URL> {
  return idp.authorizeAs(await client.generateAuthUrl(state), username);
}

/** Runs `action` and returns what it threw, failing the test when it did not throw. */
export async function thrownBy(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}
