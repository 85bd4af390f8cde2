/**
 * An authorization code is spent once (RFC 6749 §4.1.2, OAuth 2.1 §4.1.3) and a
 * rotated refresh token rotates once (RFC 9700 §4.14.2), even when every copy
 * reaches the token endpoint at the same instant. Each deployment is two
 * instances on one store, this process and a `node src/main.ts` child, as
 * behind a load balancer: inside one process the SQLite store answers
 * synchronously and never races. Each burst is repeated for many credentials,
 * because one lost race proves little: the old adapter let most Redis bursts
 * through many times over, and about one SQLite burst in five twice.
 */
import assert from 'node:assert/strict';
import { after, describe, it, type TestContext } from 'node:test';
import {
  authenticationOf,
  authorizationUrl,
  createPkce,
  loginWith,
  mcpStatusWith,
  obtainTokens,
  postForm,
  registerClient,
  type JsonResponse,
  type RegisteredClient,
  type TokenAnswer,
} from '../../support/raw-oauth.ts';
import { spawnSecondInstance } from '../../support/second-instance.ts';
import { redisUrlOrSkip, uniqueRedisPrefix } from '../../support/redis.ts';
import { deleteRedisPrefix } from '../../support/redis-cleanup.ts';
import { startTestProxy, type TestProxy, type TestStore } from '../../support/test-proxy.ts';

/** Requests sent at once for one credential. */
const SIMULTANEOUS_REQUESTS = 20;
/** Credentials raced per test. */
const CREDENTIALS_RACED = 20;

/** A fresh store for one deployment, or undefined when the test is skipped (no Redis). */
type OpenTestStore = (t: TestContext) => Promise<{ store: TestStore; cleanup(): Promise<void> } | undefined>;

const BACKENDS: ReadonlyArray<readonly [string, OpenTestStore]> = [
  ['sqlite', () => Promise.resolve({ store: { kind: 'sqlite' }, cleanup: () => Promise.resolve() })],
  [
    'redis',
    async (t) => {
      const url = await redisUrlOrSkip(t);
      if (url === undefined) return undefined;
      const prefix = uniqueRedisPrefix('single-use-race');
      return { store: { kind: 'redis', url, prefix }, cleanup: () => deleteRedisPrefix(url, prefix) };
    },
  ],
];

/** Two instances of one deployment on one store. */
interface Deployment {
  readonly proxy: TestProxy;
  /** The token endpoint of each instance. */
  readonly tokenUrls: readonly string[];
}

/** Starts deployments on first use, one per refresh-token grace period, and closes them all. */
function deployments(openStore: OpenTestStore) {
  const started = new Map<number, Promise<Deployment | undefined>>();
  const cleanups: Array<() => Promise<void>> = [];
  const start = async (t: TestContext, graceSeconds: number): Promise<Deployment | undefined> => {
    const opened = await openStore(t);
    if (opened === undefined) return undefined;
    cleanups.push(() => opened.cleanup());
    const proxy = await startTestProxy({
      store: opened.store,
      env: {
        MCP_AUTH_PROXY_REFRESH_TOKEN_GRACE_SECONDS: String(graceSeconds),
        // Hundreds of token requests from one address: the limiter is not under test.
        MAX_REQUESTS: '100000',
      },
    });
    cleanups.push(() => proxy.close());
    const other = await spawnSecondInstance(proxy.env);
    cleanups.push(() => other.stop());
    return { proxy, tokenUrls: [`${proxy.app.url}/token`, `${other.url}/token`] };
  };
  return {
    get(t: TestContext, graceSeconds: number): Promise<Deployment | undefined> {
      const deployment = started.get(graceSeconds) ?? start(t, graceSeconds);
      started.set(graceSeconds, deployment);
      return deployment;
    },
    async close(): Promise<void> {
      for (const cleanup of cleanups.reverse()) await cleanup();
    },
  };
}

/** Sends the same token request SIMULTANEOUS_REQUESTS times at once, spread over the instances. */
function burst(
  { tokenUrls }: Deployment,
  client: RegisteredClient,
  params: Record<string, string>,
): Promise<Array<JsonResponse<TokenAnswer>>> {
  return Promise.all(
    Array.from({ length: SIMULTANEOUS_REQUESTS }, (_, i) =>
      postForm<TokenAnswer>(tokenUrls[i % tokenUrls.length] ?? '', authenticationOf(client), params),
    ),
  );
}

/** Every answer of one burst must be a token response or invalid_grant; returns how many succeeded. */
function successesOf(answers: ReadonlyArray<JsonResponse<TokenAnswer>>): number {
  for (const answer of answers) {
    if (answer.status === 200) continue;
    assert.equal(answer.status, 400, JSON.stringify(answer.body));
    assert.equal(answer.body.error, 'invalid_grant');
  }
  return answers.filter((answer) => answer.status === 200).length;
}

const once = (successes: readonly number[]): number[] => successes.map(() => 1);

for (const [backend, openStore] of BACKENDS) {
  describe(`single use under simultaneous requests (${backend}, two instances)`, () => {
    const deploymentsOnStore = deployments(openStore);
    after(() => deploymentsOnStore.close());

    // req: A7.1
    it(`exchanges an authorization code for tokens once when ${SIMULTANEOUS_REQUESTS} exchanges arrive at once`, async (t) => {
      const deployment = await deploymentsOnStore.get(t, 0);
      if (deployment === undefined) return;
      const { baseUrl } = deployment.proxy;
      const client = await registerClient(baseUrl);
      const redirectUri = client.redirect_uris[0] ?? '';
      const successes: number[] = [];
      for (let round = 0; round < CREDENTIALS_RACED; round += 1) {
        const pkce = createPkce();
        const login = await loginWith(authorizationUrl(baseUrl, client, pkce), redirectUri);
        assert.ok(login.code, login.callback.href);
        const answers = await burst(deployment, client, {
          grant_type: 'authorization_code',
          code: login.code,
          redirect_uri: redirectUri,
          code_verifier: pkce.verifier,
        });
        successes.push(successesOf(answers));
      }
      t.diagnostic(`token responses per code: ${successes.join(' ')}`);
      assert.deepEqual(successes, once(successes));
    });

    // req: A7.3
    it(`rotates a refresh token once when ${SIMULTANEOUS_REQUESTS} refreshes arrive at once (no grace period)`, async (t) => {
      const deployment = await deploymentsOnStore.get(t, 0);
      if (deployment === undefined) return;
      const client = await registerClient(deployment.proxy.baseUrl);
      const successes: number[] = [];
      for (let round = 0; round < CREDENTIALS_RACED; round += 1) {
        const { tokens } = await obtainTokens(deployment.proxy.baseUrl, { client });
        assert.ok(tokens.refresh_token);
        const answers = await burst(deployment, client, {
          grant_type: 'refresh_token',
          refresh_token: tokens.refresh_token,
        });
        successes.push(successesOf(answers));
      }
      t.diagnostic(`rotations per refresh token: ${successes.join(' ')}`);
      assert.deepEqual(successes, once(successes));
    });

    // req: A7.3
    it(`answers all ${SIMULTANEOUS_REQUESTS} simultaneous refreshes within the grace period and revokes nothing`, async (t) => {
      const deployment = await deploymentsOnStore.get(t, 60);
      if (deployment === undefined) return;
      const { proxy } = deployment;
      const { client, tokens } = await obtainTokens(proxy.baseUrl);
      const answers = await burst(deployment, client, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token ?? '',
      });
      assert.equal(successesOf(answers), SIMULTANEOUS_REQUESTS);
      for (const answer of answers) {
        assert.equal(await mcpStatusWith(proxy.mcpUrl, answer.body.access_token ?? ''), 200);
      }
    });
  });
}
