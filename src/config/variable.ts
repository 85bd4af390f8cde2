/**
 * The shape of one entry in the variable registry. The description, the
 * documented default and the parser sit side by side, so docs/configuration.md
 * and .env.example are generated from the same source the loader runs
 * (style.md rule 10).
 */

/** What a parser makes of a raw value: the typed value, or why it is not valid. */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T; readonly warnings?: readonly string[] }
  | { readonly ok: false; readonly messages: readonly string[] };

export interface ParseContext {
  /** The directory relative paths are resolved against. */
  readonly cwd: string;
}

export type ValueParser<T> = (raw: string, context: ParseContext) => Parsed<T>;

/** How a variable differs from the Heroku MCP Auth Proxy it stays compatible with. */
export type HerokuCompatibility = 'same' | 'new' | { readonly changed: string };

interface VariableBase<T> {
  readonly name: string;
  /** One sentence for the docs. */
  readonly description: string;
  /** A realistic value for docs and .env.example. */
  readonly example: string;
  /** Never echoed in problems, warnings or describeConfig. */
  readonly secret: boolean;
  readonly heroku: HerokuCompatibility;
  readonly parse: ValueParser<T>;
}

/** A variable with a literal default: when unset, `default.raw` is parsed exactly like a set value. */
export interface DefaultedVariable<T> extends VariableBase<T> {
  readonly default: { readonly kind: 'value'; readonly raw: string };
}

/**
 * A variable without a literal default: required, or optional (unset reads as
 * undefined; `text` documents what happens then, e.g. a value derived from
 * another variable).
 */
export interface OptionalVariable<T> extends VariableBase<T> {
  readonly default: { readonly kind: 'required' } | { readonly kind: 'optional'; readonly text?: string };
}

export type Variable<T> = DefaultedVariable<T> | OptionalVariable<T>;

/** Any registry entry, whatever its value type (for docs and name lookups). */
export type AnyVariable = Variable<unknown>;

export interface VariableGroup {
  /** Section heading in the docs. */
  readonly title: string;
  readonly variables: readonly AnyVariable[];
}

export const valid = <T>(value: T, warnings?: readonly string[]): Parsed<T> =>
  warnings === undefined || warnings.length === 0 ? { ok: true, value } : { ok: true, value, warnings };

export const invalid = <T = never>(...messages: string[]): Parsed<T> => ({ ok: false, messages });

type VariableSpec<T> = Omit<VariableBase<T>, 'secret'> & { readonly secret?: boolean };

/** A variable that must be set. */
export const requiredVariable = <T>(spec: VariableSpec<T>): OptionalVariable<T> => ({
  secret: false,
  ...spec,
  default: { kind: 'required' },
});

/** A variable that may be unset; `whenUnset` documents what happens then. */
export const optionalVariable = <T>(
  spec: VariableSpec<T> & { readonly whenUnset?: string },
): OptionalVariable<T> => {
  const { whenUnset, ...rest } = spec;
  return {
    secret: false,
    ...rest,
    default: whenUnset === undefined ? { kind: 'optional' } : { kind: 'optional', text: whenUnset },
  };
};

/** A variable whose default is the raw text `defaultRaw`, parsed like a set value, so docs and behaviour cannot drift. */
export const defaultedVariable = <T>(
  spec: VariableSpec<T> & { readonly defaultRaw: string },
): DefaultedVariable<T> => {
  const { defaultRaw, ...rest } = spec;
  return { secret: false, ...rest, default: { kind: 'value', raw: defaultRaw } };
};
