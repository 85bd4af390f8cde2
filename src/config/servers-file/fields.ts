import { describeJsonType } from '../parsers/index.ts';
import type { ParseContext, Parsed, ValueParser } from '../variable.ts';
import { fieldPath, type FileReport } from './file-report.ts';

/** Turns one parsed YAML or JSON value into a typed one, or says what it must be (a predicate). */
export type Convert<T> = (value: unknown, context: ParseContext) => Parsed<T>;

/** The fields of one mapping of the servers file, each read and reported at its own path. */
export interface Fields {
  /** The mapping's own path, e.g. `servers[1]`. */
  readonly at: string;
  /** True when the key is there with a value (`key:` alone, YAML's null, counts as absent). */
  has(key: string): boolean;
  /** The key's value as parsed, for readers that report their own field paths (the access rules). */
  value(key: string): unknown;
  optional<T>(key: string, convert: Convert<T>): T | undefined;
  /** Absent: the problem says so, with an example of the field. */
  required<T>(key: string, convert: Convert<T>, example: string): T | undefined;
  /** A nested mapping with its own fields; undefined when absent or not a mapping (reported). */
  mapping(key: string, known: readonly string[]): Fields | undefined;
}

const isMapping = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads `value` as a mapping with the `known` keys. Every other key is a
 * problem: a typo (`urll`) would otherwise be a silently ignored setting.
 */
export function readFields(
  value: unknown,
  at: string,
  known: readonly string[],
  context: ParseContext,
  report: FileReport,
): Fields | undefined {
  if (!isMapping(value)) {
    report.problem(
      at,
      `must be a mapping with the fields ${known.join(', ')}; got ${describeJsonType(value)}`,
    );
    return undefined;
  }
  for (const key of Object.keys(value).filter((key) => !known.includes(key))) {
    const guess = closest(key, known);
    report.problem(
      fieldPath(at, key),
      `is not a known field${guess === undefined ? '' : `; did you mean ${guess}?`} (known: ${known.join(', ')})`,
    );
  }
  const present = (key: string) => Object.hasOwn(value, key) && value[key] !== null;
  const convert = <T>(key: string, into: Convert<T>): T | undefined => {
    const parsed = into(value[key], context);
    if (parsed.ok) {
      for (const warning of parsed.warnings ?? []) report.warn(fieldPath(at, key), warning);
      return parsed.value;
    }
    for (const message of parsed.messages) report.problem(fieldPath(at, key), message);
    return undefined;
  };
  return {
    at,
    has: present,
    value: (key) => (present(key) ? value[key] : undefined),
    optional: (key, into) => (present(key) ? convert(key, into) : undefined),
    required(key, into, example) {
      if (present(key)) return convert(key, into);
      report.problem(fieldPath(at, key), `is required, e.g. ${key}: ${example}`);
      return undefined;
    },
    mapping: (key, nested) =>
      present(key) ? readFields(value[key], fieldPath(at, key), nested, context, report) : undefined,
  };
}

/** Text: a non-blank string, trimmed, then `parser`. Numbers are not text here: an id or a URL is never a number. */
export function text<T>(parser: ValueParser<T>): Convert<T> {
  return (value, context) => {
    if (typeof value !== 'string')
      return { ok: false, messages: [`must be text, got ${describeJsonType(value)}`] };
    if (value.trim() === '') return { ok: false, messages: ['must not be blank'] };
    return parser(value.trim(), context);
  };
}

/** A number or boolean, or its text (`30000`, `"30000"`, `true`), read by the same parser as its variable. */
export function scalar<T>(parser: ValueParser<T>): Convert<T> {
  return (value, context) => {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      return { ok: false, messages: [`must be a number or true/false, got ${describeJsonType(value)}`] };
    }
    return parser(String(value).trim(), context);
  };
}

/** The known key a typo most likely meant: same letters in another case, or at most two edits away. */
function closest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const exact = known.find((candidate) => candidate.toLowerCase() === lower);
  if (exact !== undefined) return exact;
  const scored = known.map((candidate) => ({
    candidate,
    distance: editDistance(lower, candidate.toLowerCase()),
  }));
  const best = scored.sort((a, b) => a.distance - b.distance)[0];
  return best !== undefined && best.distance <= 2 ? best.candidate : undefined;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
