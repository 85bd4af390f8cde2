import { formatProblems, loadConfig, readEnvironment, type ConfigResult } from '../config/index.ts';
import type { CliIo } from './cli-io.ts';

export interface LoadedCliConfig {
  /** `.env` in the working directory with the real environment laid over it. */
  readonly environment: Record<string, string | undefined>;
  readonly result: ConfigResult;
}

/** The configuration exactly as `serve` reads it: the working directory's `.env`, then the environment. */
export function loadCliConfig(io: CliIo): LoadedCliConfig {
  const environment = readEnvironment(
    io.processEnv === undefined ? { cwd: io.cwd } : { cwd: io.cwd, processEnv: io.processEnv },
  );
  return { environment, result: loadConfig(environment, { cwd: io.cwd }) };
}

/** Prints every configuration problem at once on stderr (style.md rule 10). */
export function reportConfigProblems(io: CliIo, result: Extract<ConfigResult, { ok: false }>): void {
  io.stderr.write(formatProblems(result.problems) + '\n');
}
