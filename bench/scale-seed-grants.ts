/**
 * Fills the store with grants quickly, in the layout the proxy writes: an
 * in-process app on the same Redis (built by startApp from the proxy's own
 * environment) copies one real sign-in's records through oidc-provider's
 * adapter (`Grant`, `AccessToken` and so its `grant:<id>` set) and the
 * upstream-token vault (sealed IdP tokens), under fresh ids and fresh expiry.
 * The records are those a sign-in writes, not stand-ins; only the login pages
 * and the IdP round trips are skipped.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { AdapterPayload } from 'oidc-provider';
import { startApp, type App } from '../src/app/start-app.ts';
import { loadConfig } from '../src/config/index.ts';
import { resolveEncryptionKey } from '../src/keys/index.ts';
import { systemClock } from '../src/shared/clock.ts';
import { deriveKey } from '../src/shared/crypto.ts';
import { createLogger } from '../src/shared/logger.ts';
import { UpstreamTokenVault } from '../src/upstream-token-vault/index.ts';
import { inParallel } from './scale-environment.ts';

export interface SeedingApp {
  readonly app: App;
  /** Writes `count` grants, each with an access token and sealed IdP tokens; resolves to the access tokens. */
  seed(templateAccessToken: string, count: number, log: (line: string) => void): Promise<string[]>;
  close(): Promise<void>;
}

const SEED_CONCURRENCY = 64;

export async function startSeedingApp(env: Readonly<Record<string, string>>): Promise<SeedingApp> {
  const loaded = loadConfig(env, { cwd: process.cwd() });
  if (!loaded.ok) throw new Error(`seeding configuration: ${JSON.stringify(loaded.problems)}`);
  const { config } = loaded;
  const logger = createLogger({
    level: 'warn',
    appName: 'scale-seed',
    environment: 'bench',
    destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
  const app = await startApp(config, { logger, processEnv: {} });
  const vault = new UpstreamTokenVault({
    store: app.store,
    encryptionKey: deriveKey(await resolveEncryptionKey(config.keys), 'upstream-tokens'),
    ttlSeconds: config.authorizationServer.refreshTokenTtlSeconds,
    refreshAtIdp: () => Promise.reject(new Error('the seeding app never refreshes')),
    revokeGrant: () => Promise.resolve(undefined),
    clock: systemClock,
    logger,
  });
  const { provider } = app.authorizationServer;

  return {
    app,
    async seed(templateAccessToken, count, log) {
      const accessTemplate = await provider.AccessToken.adapter.find(templateAccessToken);
      const grantId = accessTemplate?.grantId;
      if (accessTemplate === undefined || grantId === undefined) throw new Error('no template access token');
      const grantTemplate = await provider.Grant.adapter.find(grantId);
      const upstreamTemplate = await vault.read(grantId);
      if (grantTemplate === undefined || upstreamTemplate === undefined) throw new Error('no template grant');
      const accessTtlSeconds = lifetimeSeconds(accessTemplate);
      const grantTtlSeconds = lifetimeSeconds(grantTemplate);
      const tokens: string[] = [];
      await inParallel(count, SEED_CONCURRENCY, async (index) => {
        const nowSeconds = Math.floor(Date.now() / 1000);
        const newGrantId = sameShapeId(grantId);
        const token = sameShapeId(templateAccessToken);
        await provider.Grant.adapter.upsert(
          newGrantId,
          { ...grantTemplate, jti: newGrantId, iat: nowSeconds, exp: nowSeconds + grantTtlSeconds },
          grantTtlSeconds,
        );
        await provider.AccessToken.adapter.upsert(
          token,
          {
            ...accessTemplate,
            jti: token,
            grantId: newGrantId,
            iat: nowSeconds,
            exp: nowSeconds + accessTtlSeconds,
          },
          accessTtlSeconds,
        );
        await vault.save(newGrantId, upstreamTemplate);
        tokens.push(token);
        if ((index + 1) % 20_000 === 0) log(`seeded ${index + 1} grants`);
      });
      return tokens;
    },
    close: () => app.close(),
  };
}

function lifetimeSeconds(payload: AdapterPayload): number {
  if (payload.exp === undefined || payload.iat === undefined)
    throw new Error(`${payload.kind} without iat/exp`);
  return payload.exp - payload.iat;
}

/** A random base64url id as long as the one oidc-provider gave the template. */
function sameShapeId(template: string): string {
  return randomBytes(Math.ceil((template.length * 3) / 4))
    .toString('base64url')
    .slice(0, template.length);
}
