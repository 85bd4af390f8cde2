/**
 * What a TypeScript user of `mcp-auth-proxy/identity` compiles against: the
 * built declarations in `dist/`, reached through package.json `exports`, with
 * only what the package ships (`files`: `dist`, `src/views`).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ensureBuild, REPO_ROOT } from '../../support/ensure-build.ts';

const DIST = join(REPO_ROOT, 'dist');
const ENTRY_DECLARATION = join(DIST, 'upstream-idp', 'index.d.ts');
const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** A consumer's code: every public name used as documented, and wrong uses that must not compile. */
const CONSUMER_SOURCE = `
import {
  createIdentityClient,
  createKeyValueStorageHook,
  createMemoryStorageHook,
  fromEnvironment,
  IdentityProviderError,
  type IdentityClient,
  type IdentityTokens,
  type PKCEStorageHook,
} from 'mcp-auth-proxy/identity';

const storageHook: PKCEStorageHook = createMemoryStorageHook({ nodeEnv: 'development' });

export const configured: IdentityClient = createIdentityClient({
  clientId: 'client',
  clientSecret: 'secret',
  serverUrl: 'https://idp.example.com',
  redirectUri: 'https://app.example.com/callback',
  scope: ['openid', 'email'],
  timeoutMs: 5_000,
  storageHook,
});

export const fromEnv: IdentityClient = fromEnvironment({
  env: { IDENTITY_CLIENT_ID: 'client', IDENTITY_SERVER_URL: 'https://idp.example.com' },
  storageHook,
});

/** A hook of the user's own: the parameters are typed from the contract. */
const pending = new Map<string, { codeVerifier: string; redirectUri: string; expiresAt: number }>();
export const ownHook: PKCEStorageHook = {
  async storePKCEState(interactionId, _state, codeVerifier, expiresAt, details) {
    pending.set(interactionId, { codeVerifier, redirectUri: details.redirectUri, expiresAt });
  },
  async retrievePKCEState(interactionId) {
    const entry = pending.get(interactionId);
    pending.delete(interactionId);
    return entry === undefined ? null : { codeVerifier: entry.codeVerifier, redirectUri: entry.redirectUri };
  },
  async cleanupExpiredState(beforeTimestamp) {
    for (const [key, entry] of pending) if (entry.expiresAt < beforeTimestamp) pending.delete(key);
  },
};

/** The shared-store hook on a store of the user's own: a TTL write and an atomic read-and-delete. */
const values = new Map<string, string>();
export const sharedHook: PKCEStorageHook = createKeyValueStorageHook(
  {
    async set(key, value, options) {
      values.set(key, value);
      setTimeout(() => values.delete(key), options?.ttlMs ?? 600_000).unref();
    },
    async take(key) {
      const value = values.get(key);
      values.delete(key);
      return value;
    },
  },
  { keyPrefix: 'login:', encryptionKey: Buffer.alloc(32) },
);

export async function signIn(client: IdentityClient, callbackUrl: URL, state: string): Promise<string> {
  const authorizationUrl: string = await client.generateAuthUrl(state);
  try {
    const tokens: IdentityTokens = await client.completeLogin({ callbackUrl, state });
    const expiresAt: number | undefined = tokens.expiresAt;
    const refreshed = tokens.refreshToken === undefined ? undefined : await client.refreshToken(tokens.refreshToken);
    return [authorizationUrl, tokens.userId, tokens.accessToken, expiresAt, refreshed?.userId].join(' ');
  } catch (error) {
    if (!(error instanceof IdentityProviderError)) throw error;
    const retry: boolean = error.transient;
    const gone: boolean = error.rejected;
    switch (error.failure) {
      case 'unavailable':
      case 'rejected':
      case 'misconfigured':
      case 'invalid_response':
      case 'invalid_callback':
        return [error.failure, error.status, retry, gone].join(' ');
    }
  }
}

export async function wrongUses(client: IdentityClient, tokens: IdentityTokens): Promise<void> {
  // @ts-expect-error userId is a string: were the declarations \`any\`, this line would compile.
  const userId: number = tokens.userId;
  // @ts-expect-error completeLogin needs the state the login was started with.
  await client.completeLogin({ callbackUrl: 'https://app.example.com/callback?code=x' });
  void userId;
}
`;

const run = promisify(execFile);

/** The relative module specifiers of a declaration file (`from '...'` and `import('...')`). */
function relativeSpecifiers(declaration: string): string[] {
  const text = readFileSync(declaration, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\()\s*['"]([^'"]+)['"]/g)].map((match) => match[1]!);
  return specifiers.filter((specifier) => specifier.startsWith('.'));
}

/** `./x.ts` or `./x.js` as written in a declaration is compiled against `./x.d.ts`. */
function declarationFor(fromFile: string, specifier: string): string {
  return resolve(dirname(fromFile), specifier).replace(/\.(?:ts|js)$/, '.d.ts');
}

describe('the published mcp-auth-proxy/identity declarations', () => {
  let consumerDir: string;

  before(async () => {
    await ensureBuild();
    consumerDir = await mkdtemp(join(tmpdir(), 'identity-consumer-'));
  });

  after(async () => {
    if (consumerDir !== undefined) await rm(consumerDir, { recursive: true, force: true });
  });

  it('reference only declaration files that ship in dist', () => {
    const { files } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      files: string[];
    };
    assert.ok(files.includes('dist'), 'package.json files ships dist');
    const seen = new Set<string>();
    const queue = [ENTRY_DECLARATION];
    for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
      if (seen.has(file)) continue;
      seen.add(file);
      for (const specifier of relativeSpecifiers(file)) {
        const target = declarationFor(file, specifier);
        const where = `${relative(REPO_ROOT, file)} imports '${specifier}'`;
        assert.ok(!relative(DIST, target).startsWith('..'), `${where}, outside dist`);
        assert.ok(existsSync(target), `${where}, but ${relative(REPO_ROOT, target)} is not built`);
        queue.push(target);
      }
    }
    assert.ok(seen.size > 1, 'the entry declaration re-exports from its modules');
  });

  it('type-check a strict NodeNext consumer, and refuse its wrong uses', async () => {
    await writeFile(join(consumerDir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    await mkdir(join(consumerDir, 'node_modules'));
    // As `npm install` of a local path does: the package under its name, a link to the repository.
    await symlink(REPO_ROOT, join(consumerDir, 'node_modules', 'mcp-auth-proxy'), 'junction');
    const tsconfig = {
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        strict: true,
        exactOptionalPropertyTypes: true,
        noEmit: true,
        // Our declarations are checked too, not trusted.
        skipLibCheck: false,
        // The consumer has no node_modules of its own: take Node's types from the repository.
        typeRoots: [join(REPO_ROOT, 'node_modules', '@types')],
        types: ['node'],
      },
      files: ['consumer.ts'],
    };
    await writeFile(join(consumerDir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    await writeFile(join(consumerDir, 'consumer.ts'), CONSUMER_SOURCE);

    const tsconfigPath = join(consumerDir, 'tsconfig.json');
    const result = await run(process.execPath, [TSC, '-p', tsconfigPath, '--noEmit', '--pretty', 'false'], {
      cwd: consumerDir,
    }).then(
      () => ({ code: 0, output: '' }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? -1,
        output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
      }),
    );

    assert.equal(result.code, 0, `tsc reported:\n${result.output}`);
  });
});
