import { access, chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv, parseArgs } from 'node:util';
import { formatProblems, loadConfig } from '../config/index.ts';
import { generateEncryptionKey, generateSigningKeys } from '../keys/index.ts';
import type { CliCommand } from './command.ts';
import { collectInitAnswers, INIT_QUESTIONS, type InitAnswers } from './init-answers.ts';
import { EXIT_CONFIG_INVALID, EXIT_FAILURE, EXIT_OK } from './exit-codes.ts';
import { atMostPositionals, parseOrUsage } from './parse-command-args.ts';
import { renderEnvFile } from './render-env-file.ts';
import { UsageError } from './usage-error.ts';

const ENV_FILE_NAME = '.env';
/** Signing keys and the encryption key are in it: only the proxy's own user may read it. */
const ENV_FILE_MODE = 0o600;
/** RFC 8252 §7.3 loopback hosts: plain http is tolerable there and nowhere else. */
const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

const flagOptions = Object.fromEntries(
  INIT_QUESTIONS.map((question) => [question.flag, { type: 'string' as const }]),
);

export const initCommand: CliCommand = {
  name: 'init',
  summary: 'Write a .env with generated signing keys and encryption key, and your IdP and MCP settings.',
  usage:
    'init [--base-url <url>] [--mcp-server-url <url>] [--identity-server-url <url>] [--identity-client-id <id>] [--identity-client-secret <secret>] [--redis-url <url>] [--yes] [--force]',
  description: [
    'Generates OIDC_PROVIDER_JWKS (an RS256 and an ES256 private key) and MCP_AUTH_PROXY_ENCRYPTION_KEY,',
    'asks for the settings not given as options (only when stdin is a terminal; otherwise the options are',
    'required), validates the result as `serve` would, and writes .env in the working directory with mode',
    '0600. It never overwrites an existing .env without --force. Prints the redirect URI to register at the',
    'identity provider. This replaces the `jwkgen` step of the Heroku MCP Auth Proxy.',
  ].join('\n'),
  options: [
    ...INIT_QUESTIONS.map((question) => ({
      flag: `--${question.flag} <value>`,
      description:
        `${question.variable}` +
        (question.defaultValue === undefined ? '' : ` (default ${question.defaultValue})`) +
        (question.optional === true ? ', optional' : ''),
    })),
    { flag: '-y, --yes', description: 'Ask nothing: take the defaults for what no option gives.' },
    { flag: '--force', description: 'Overwrite an existing .env.' },
  ],
  async run(args, io) {
    const { values, positionals } = parseOrUsage('init', () =>
      parseArgs({
        args: [...args],
        options: {
          ...flagOptions,
          yes: { type: 'boolean', short: 'y' },
          force: { type: 'boolean' },
        },
        allowPositionals: true,
      }),
    );
    atMostPositionals('init', positionals, 0);
    const path = join(io.cwd, ENV_FILE_NAME);
    const force = values.force === true;
    if (!force && (await exists(path))) {
      io.stderr.write(`${path} already exists; nothing was written. Pass --force to replace it.\n`);
      return EXIT_FAILURE;
    }

    const flags = values as Record<string, string | undefined>;
    const answers = await collectInitAnswers(io, flags, values.yes === true);
    const text = await renderInitEnvFile(answers);
    const result = loadConfig(parseEnv(text), { cwd: io.cwd });
    if (!result.ok) {
      io.stderr.write(`${formatProblems(result.problems)}\nNothing was written.\n`);
      return EXIT_CONFIG_INVALID;
    }
    for (const warning of result.warnings) io.stderr.write(`warning: ${warning}\n`);

    try {
      await writeFile(path, text, { mode: ENV_FILE_MODE, flag: force ? 'w' : 'wx' });
      await chmod(path, ENV_FILE_MODE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      io.stderr.write(
        `${path} appeared while init was running; nothing was written. Pass --force to replace it.\n`,
      );
      return EXIT_FAILURE;
    }
    const { config } = result;
    io.stdout.write(
      [
        `Wrote ${path} (mode 0600; keep it out of version control).`,
        `Register this redirect URI at your identity provider: ${config.identity.redirectUri}`,
        `MCP clients connect to: ${config.servers[0].resource}`,
        'Next: `mcp-auth-proxy check`, then `mcp-auth-proxy serve`.',
        '',
      ].join('\n'),
    );
    return EXIT_OK;
  },
};

async function renderInitEnvFile(answers: InitAnswers): Promise<string> {
  const baseUrl = answers['BASE_URL'] ?? '';
  const settings = INIT_QUESTIONS.flatMap((question): Array<[string, string]> => {
    const value = answers[question.variable];
    return value === undefined ? [] : [[question.variable, value]];
  });
  if (isLoopbackHttp(baseUrl)) settings.splice(1, 0, ['LOCAL_INSECURE', 'true']);
  const signingKeys = JSON.stringify(await generateSigningKeys());
  try {
    return renderEnvFile(
      [
        'Written by `mcp-auth-proxy init`.',
        'Every variable is described in docs/configuration.md; check this file with `mcp-auth-proxy check`.',
      ],
      [
        {
          comment: ['Where the proxy is reached, the MCP server behind it, and the identity provider.'],
          variables: settings,
        },
        {
          comment: [
            'Generated secrets: the private signing keys of the authorization server, and the key that',
            'encrypts stored identity-provider tokens and signs cookies. Every instance must share them.',
          ],
          variables: [
            ['OIDC_PROVIDER_JWKS', signingKeys],
            ['MCP_AUTH_PROXY_ENCRYPTION_KEY', generateEncryptionKey().toString('base64url')],
          ],
        },
      ],
    );
  } catch (error) {
    throw new UsageError((error as Error).message, 'init');
  }
}

function isLoopbackHttp(baseUrl: string): boolean {
  const url = URL.parse(baseUrl);
  return url !== null && url.protocol === 'http:' && LOOPBACK_HOSTNAMES.has(url.hostname);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
