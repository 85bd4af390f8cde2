import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import type { CliIo } from './cli-io.ts';
import { UsageError } from './usage-error.ts';

/** One setting `init` asks for: its variable, its flag, and how to ask. */
export interface InitQuestion {
  readonly variable: string;
  readonly flag: string;
  readonly prompt: string;
  /** Offered at the prompt and taken by `--yes`; undefined: required (no default). */
  readonly defaultValue?: string | undefined;
  /** May be left empty (then the variable is not written). */
  readonly optional?: boolean | undefined;
  /** Not echoed while typed. */
  readonly secret?: boolean | undefined;
}

export const INIT_QUESTIONS: readonly InitQuestion[] = [
  {
    variable: 'BASE_URL',
    flag: 'base-url',
    prompt: 'Public URL of the proxy (BASE_URL)',
    defaultValue: 'http://localhost:3000',
  },
  {
    variable: 'MCP_SERVER_URL',
    flag: 'mcp-server-url',
    prompt: 'URL of your MCP server, its path is the public path too (MCP_SERVER_URL)',
    defaultValue: 'http://127.0.0.1:3001/mcp',
  },
  {
    variable: 'IDENTITY_SERVER_URL',
    flag: 'identity-server-url',
    prompt: "Your identity provider's issuer URL (IDENTITY_SERVER_URL)",
  },
  {
    variable: 'IDENTITY_CLIENT_ID',
    flag: 'identity-client-id',
    prompt: 'Client id registered at the identity provider (IDENTITY_CLIENT_ID)',
  },
  {
    variable: 'IDENTITY_CLIENT_SECRET',
    flag: 'identity-client-secret',
    prompt: 'Client secret, empty for a public client (IDENTITY_CLIENT_SECRET)',
    optional: true,
    secret: true,
  },
  {
    variable: 'MCP_AUTH_PROXY_REDIS_URL',
    flag: 'redis-url',
    prompt: 'Redis URL for several instances, empty for the embedded SQLite store (MCP_AUTH_PROXY_REDIS_URL)',
    optional: true,
  },
];

/** Answers by variable name; optional settings left empty are absent. */
export type InitAnswers = Record<string, string>;

/**
 * Takes each setting from its flag; what is missing comes from a prompt when
 * stdin is a terminal and `--yes` was not given, else from its default, else
 * it is a usage error naming every missing flag at once.
 */
export async function collectInitAnswers(
  io: CliIo,
  flags: Readonly<Record<string, string | undefined>>,
  assumeYes: boolean,
): Promise<InitAnswers> {
  const answers: InitAnswers = {};
  const missing: InitQuestion[] = [];
  for (const question of INIT_QUESTIONS) {
    const given = flags[question.flag]?.trim();
    if (given !== undefined) {
      if (given !== '') answers[question.variable] = given;
    } else {
      missing.push(question);
    }
  }
  if (missing.length === 0) return answers;

  if (io.stdin.isTTY === true && !assumeYes) {
    Object.assign(answers, await askInTerminal(io, missing));
    return answers;
  }
  const required = missing.filter(
    (question) => question.optional !== true && (question.defaultValue === undefined || !assumeYes),
  );
  if (required.length > 0) {
    const list = required.map((question) => `--${question.flag}`).join(', ');
    const hint = assumeYes ? '' : ' (or --yes to take the defaults where there are any)';
    throw new UsageError(`stdin is not a terminal, so these options are required: ${list}${hint}`, 'init');
  }
  for (const question of missing) {
    if (question.defaultValue !== undefined) answers[question.variable] = question.defaultValue;
  }
  return answers;
}

async function askInTerminal(io: CliIo, questions: readonly InitQuestion[]): Promise<InitAnswers> {
  let muted = false;
  // Echo goes through this stream, so a secret's keystrokes can be held back.
  const echo = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) io.stdout.write(chunk.toString('utf8'));
      done();
    },
  });
  const terminal = createInterface({ input: io.stdin, output: echo, terminal: true });
  const answers: InitAnswers = {};
  try {
    for (const question of questions) {
      const suffix = question.defaultValue === undefined ? '' : ` [${question.defaultValue}]`;
      for (;;) {
        const asking = terminal.question(`${question.prompt}${suffix}: `);
        muted = question.secret === true;
        const typed = (await asking).trim();
        muted = false;
        if (question.secret === true) io.stdout.write('\n');
        const value = typed === '' ? question.defaultValue : typed;
        if (value !== undefined) answers[question.variable] = value;
        if (value !== undefined || question.optional === true) break;
        io.stdout.write('  This one is required.\n');
      }
    }
  } finally {
    terminal.close();
  }
  return answers;
}
