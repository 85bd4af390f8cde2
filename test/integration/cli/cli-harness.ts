import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { runCli, type CliIo } from '../../../src/cli/index.ts';

/** The bin, run from source by Node's type stripping. */
export const CLI_MAIN_PATH = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface InProcessOptions {
  readonly cwd: string;
  /** The whole environment the command sees besides the working directory's .env. */
  readonly env?: Record<string, string>;
  /** Stands in for a terminal: each time the command prints a prompt, the next answer is typed. */
  readonly terminalAnswers?: readonly string[];
}

/** Runs one command in this process, as the bin would, with its own environment and captured output. */
export async function runInProcess(argv: readonly string[], options: InProcessOptions): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  const answers = [...(options.terminalAnswers ?? [])];
  if (options.terminalAnswers !== undefined) stdin.isTTY = true;
  const io: CliIo = {
    stdout: {
      write: (text: string) => {
        stdout += text;
        // readline prompts end in ': '; answer on the next turn, once the question is waiting.
        if (text.endsWith(': ') && answers.length > 0) {
          const answer = answers.shift() ?? '';
          setImmediate(() => stdin.write(`${answer}\n`));
        }
        return true;
      },
    },
    stderr: { write: (text: string) => (stderr += text) },
    stdin,
    cwd: options.cwd,
    processEnv: options.env ?? {},
    exit: (code) => {
      throw new Error(`the command tried to exit the process with ${code}`);
    },
  };
  const code = await runCli(argv, io);
  stdin.end();
  return { code, stdout, stderr };
}

/** Runs the bin as a real child process (exit codes, stdout and stderr as a shell sees them). */
export async function runProcess(
  argv: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI_MAIN_PATH, ...argv], {
    cwd: options.cwd,
    env: options.env ?? {},
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code: code ?? -1, stdout, stderr };
}

/** A temporary working directory, removed after the test. */
export async function temporaryDirectory(t: TestContext, label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `mcp-auth-proxy-cli-${label}-`));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
