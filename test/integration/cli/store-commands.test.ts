import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { authorizeWithSdk, TestOAuthClient } from '../../support/sdk-oauth-client.ts';
import { mcpStatusOnceSettled, mcpStatusWith } from '../../support/raw-oauth.ts';
import { deleteRedisPrefix } from '../../support/redis-cleanup.ts';
import { redisUrlOrSkip, uniqueRedisPrefix } from '../../support/redis.ts';
import { startTestProxy, type TestProxy, type TestStore } from '../../support/test-proxy.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { runInProcess, runProcess, temporaryDirectory } from './cli-harness.ts';

interface GrantJson {
  grantId: string;
  accountId: string | null;
  clientId: string | null;
  scopes: string[];
  expiresAt: string | null;
}

interface SignedIn {
  readonly clientId: string;
  readonly accessToken: string;
}

/** A real SDK login through the proxy: registration, confirmation, IdP sign-in, tokens. */
async function signIn(proxy: TestProxy, username: string): Promise<SignedIn> {
  const client = new TestOAuthClient({ metadata: { client_name: `CLI test client of ${username}` } });
  const { tokens } = await authorizeWithSdk(proxy.mcpUrl, client, new UserAgent(), { username });
  const clientId = client.clientInformation()?.client_id;
  assert.ok(clientId !== undefined);
  return { clientId, accessToken: tokens.access_token };
}

/** The store under test, or undefined when the test is skipped (no Redis outside CI). */
type StoreSetup = (t: TestContext) => Promise<{ store: TestStore; cleanUp: () => Promise<void> } | undefined>;

function describeStoreCommands(label: string, setup: StoreSetup): void {
  describe(`clients and grants commands on ${label}`, () => {
    let proxy: TestProxy | undefined;
    let cleanUp = (): Promise<void> => Promise.resolve();
    let alice: SignedIn;
    let bob: SignedIn;
    before(async (t) => {
      const chosen = await setup(t as unknown as TestContext);
      if (chosen === undefined) return;
      cleanUp = chosen.cleanUp;
      proxy = await startTestProxy({ store: chosen.store });
      alice = await signIn(proxy, 'alice');
      bob = await signIn(proxy, 'bob');
    });
    after(async () => {
      await proxy?.close();
      await cleanUp();
    });

    /** The running proxy, or undefined after skipping the test. */
    const running = (t: TestContext): TestProxy | undefined => {
      if (proxy === undefined) t.skip(`no ${label} store`);
      return proxy;
    };
    // The commands open the store from the same configuration as the running proxy.
    const cli = async (t: TestContext, on: TestProxy, argv: readonly string[]) =>
      await runInProcess(argv, { cwd: await temporaryDirectory(t, 'store'), env: on.env });

    it('lists the clients registered through the proxy', async (t) => {
      const on = running(t);
      if (on === undefined) return;
      const run = await cli(t, on, ['clients', 'list']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^CLIENT ID +NAME +CREATED +REDIRECT URIS$/m);
      assert.ok(run.stdout.includes(alice.clientId));
      assert.match(run.stdout, /CLI test client of bob .*http:\/\/127\.0\.0\.1:33418\/callback/);
    });

    it("lists the users' grants, filtered by user, as a table and as JSON", async (t) => {
      const on = running(t);
      if (on === undefined) return;
      const table = await cli(t, on, ['grants', 'list']);
      assert.equal(table.code, 0, table.stderr);
      assert.ok(table.stdout.includes(alice.clientId) && table.stdout.includes(bob.clientId));

      const run = await cli(t, on, ['grants', 'list', '--user', on.idp.userIdFor('alice'), '--json']);
      const grants = JSON.parse(run.stdout) as GrantJson[];
      assert.equal(grants.length, 1);
      assert.equal(grants[0]?.clientId, alice.clientId);
      assert.ok(grants[0]?.scopes.includes('openid'), JSON.stringify(grants[0]));
      assert.ok(Date.parse(grants[0]?.expiresAt ?? '') > Date.now());
    });

    it("revokes a user's grants: their token stops working through the proxy, the other user's does not", async (t) => {
      const on = running(t);
      if (on === undefined) return;
      assert.equal(await mcpStatusWith(on.mcpUrl, alice.accessToken), 200);
      const aliceId = on.idp.userIdFor('alice');
      const listed = await cli(t, on, ['grants', 'list', '--user', aliceId, '--json']);
      const [grant] = JSON.parse(listed.stdout) as GrantJson[];
      assert.ok(grant !== undefined);
      assert.notEqual(await on.app.store.get(`upstream-tokens:${grant.grantId}`), undefined);

      const run = await cli(t, on, ['grants', 'revoke', '--user', aliceId]);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(
        run.stdout.startsWith(`Revoked grant ${grant.grantId} (user ${aliceId}, client ${alice.clientId})`),
      );

      // The proxy serves token checks from memory; the revocation reaches it over the invalidation bus
      // (Redis pub/sub at once, SQLite by polling a revision key a few times a second).
      assert.equal(await mcpStatusOnceSettled(on.mcpUrl, alice.accessToken, 401), 401);
      assert.equal(await mcpStatusWith(on.mcpUrl, bob.accessToken), 200);
      assert.equal(await on.app.store.get(`upstream-tokens:${grant.grantId}`), undefined);
      const left = JSON.parse((await cli(t, on, ['grants', 'list', '--json'])).stdout) as GrantJson[];
      assert.deepEqual(
        left.map((remaining) => remaining.clientId),
        [bob.clientId],
      );
    });

    it('exits 1 when asked to revoke a grant id that does not exist', async (t) => {
      const on = running(t);
      if (on === undefined) return;
      const run = await cli(t, on, ['grants', 'revoke', 'no-such-grant']);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /No grant no-such-grant: nothing was revoked/);
    });
  });
}

describeStoreCommands('SQLite', () =>
  Promise.resolve({ store: { kind: 'sqlite' }, cleanUp: () => Promise.resolve() }),
);
describeStoreCommands('Redis', async (t) => {
  const url = await redisUrlOrSkip(t);
  if (url === undefined) return undefined;
  const prefix = uniqueRedisPrefix('cli');
  return { store: { kind: 'redis', url, prefix }, cleanUp: () => deleteRedisPrefix(url, prefix) };
});

describe('clients and grants commands without a valid configuration', () => {
  it('exit 3 with every problem on stderr (real process)', async (t) => {
    const run = await runProcess(['grants', 'list'], {
      cwd: await temporaryDirectory(t, 'noconfig'),
      env: {},
    });
    assert.equal(run.code, 3);
    assert.match(run.stderr, /The configuration has \d+ problems/);
    assert.match(run.stderr, /BASE_URL/);
  });
});
