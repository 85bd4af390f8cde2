import type { ConfigProblem } from './config-result.ts';
import type { AnyVariable, DefaultedVariable, OptionalVariable, ParseContext, Parsed } from './variable.ts';

const REDACTED = '[redacted]';
/** Shorter secrets are not searched for: replacing one or two characters everywhere would garble the message. */
const MIN_REDACTABLE_LENGTH = 4;

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads registry variables out of one environment, collecting every problem and
 * warning instead of stopping at the first (style.md rule 10). Parsers phrase
 * their messages as predicates ("must be ..."); the reader prefixes the name.
 */
export interface EnvironmentReader {
  readonly context: ParseContext;
  /** The parsed value, or the default when unset. An invalid value is recorded and the default returned. */
  value<T>(variable: DefaultedVariable<T>): T;
  /** The parsed value; undefined when unset (recorded as a problem when required) or invalid. */
  maybe<T>(variable: OptionalVariable<T>): T | undefined;
  /** True when the variable holds a non-blank value. */
  isSet(variable: AnyVariable): boolean;
  /** Records a problem found by a check across variables; the message is a full sentence. */
  problem(variable: AnyVariable, message: string): void;
  warn(message: string): void;
  readonly problems: readonly ConfigProblem[];
  readonly warnings: readonly string[];
}

/** Blank values count as unset: `FOO=` in a .env file or a dashboard means "not configured". */
export function rawValue(env: Environment, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

export function createEnvironmentReader(env: Environment, context: ParseContext): EnvironmentReader {
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];

  const redact = (variable: AnyVariable, text: string): string => {
    const raw = rawValue(env, variable.name);
    if (!variable.secret || raw === undefined || raw.length < MIN_REDACTABLE_LENGTH) return text;
    return text.split(raw).join(REDACTED);
  };

  const record = (variable: AnyVariable, message: string) => {
    problems.push({ variable: variable.name, message: redact(variable, message) });
  };

  const accept = <T>(variable: AnyVariable, parsed: Parsed<T>): parsed is Parsed<T> & { ok: true } => {
    if (!parsed.ok) {
      for (const message of parsed.messages) record(variable, `${variable.name} ${message}`);
      return false;
    }
    for (const warning of parsed.warnings ?? [])
      warnings.push(redact(variable, `${variable.name} ${warning}`));
    return true;
  };

  return {
    context,
    problems,
    warnings,
    value<T>(variable: DefaultedVariable<T>): T {
      const fallback = variable.parse(variable.default.raw, context);
      if (!fallback.ok) throw new Error(`the documented default of ${variable.name} does not parse`);
      const raw = rawValue(env, variable.name);
      if (raw === undefined) return fallback.value;
      const parsed = variable.parse(raw, context);
      return accept(variable, parsed) ? parsed.value : fallback.value;
    },
    maybe<T>(variable: OptionalVariable<T>): T | undefined {
      const raw = rawValue(env, variable.name);
      if (raw === undefined) {
        if (variable.default.kind === 'required') {
          record(variable, requiredMessage(variable));
        }
        return undefined;
      }
      const parsed = variable.parse(raw, context);
      return accept(variable, parsed) ? parsed.value : undefined;
    },
    isSet: (variable) => rawValue(env, variable.name) !== undefined,
    problem: (variable, message) => record(variable, message),
    warn: (message) => warnings.push(message),
  };
}

function requiredMessage(variable: AnyVariable): string {
  const example = variable.secret ? '' : ` For example: ${variable.name}=${variable.example}`;
  return `${variable.name} is required but not set. ${variable.description}${example}`;
}
