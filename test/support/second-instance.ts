import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.ts';

const MAIN_PATH = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** A proxy started as operators start it: `node src/main.ts`, in its own process. */
export interface SecondInstance {
  /** Where this instance listens (its BASE_URL may name another instance of the deployment). */
  readonly url: string;
  /** SIGTERM, then waits for the process to exit. */
  stop(): Promise<void>;
}

/**
 * Starts another instance of a deployment whose environment is `env` (e.g. a
 * TestProxy's `env`: the same store, issuer and keys) on a port of its own, and
 * resolves once it listens. Two processes on one store are what can race for
 * real: inside one process the SQLite store answers synchronously.
 */
export async function spawnSecondInstance(env: Readonly<Record<string, string>>): Promise<SecondInstance> {
  const port = await freePort();
  // A directory without a .env: the environment is the whole configuration.
  const cwd = await mkdtemp(join(tmpdir(), 'mcp-auth-proxy-process-'));
  const child = spawn(process.execPath, [MAIN_PATH], {
    cwd,
    env: { ...env, PATH: process.env['PATH'] ?? '', PORT: String(port), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const output: string[] = [];
  const listening = new Promise<void>((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        if (line.includes('"event":"server.listening"')) resolve();
      });
    }
    void exited.then(() =>
      reject(new Error(`the proxy process exited before listening:\n${output.join('\n')}`)),
    );
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(cwd, { recursive: true, force: true });
  };
  try {
    await listening;
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, stop };
}
