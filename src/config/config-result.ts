import type { Config } from './config.ts';

/** One thing wrong with the environment: the variable it concerns and what would be valid. */
export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

/**
 * Either a complete, validated Config (with warnings worth logging) or every
 * problem found; never a partial config (style.md rule 10).
 */
export type ConfigResult =
  | { readonly ok: true; readonly config: Config; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };
