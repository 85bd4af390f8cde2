import { invalid, valid, type Parsed, type ValueParser } from '../variable.ts';
import { quoteValue } from './quote-value.ts';

/**
 * JSON.parse with a message fit for a problem report. V8's messages quote the
 * input, so for a secret only the position is kept.
 */
export function parseJsonValue(raw: string, secret: boolean): Parsed<unknown> {
  try {
    return valid(JSON.parse(raw) as unknown);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    if (!secret) return invalid(`is not valid JSON (${detail})`);
    const position = /position \d+/.exec(detail)?.[0];
    return invalid(`is not valid JSON${position === undefined ? '' : ` (error at ${position})`}`);
  }
}

const describeJsonType = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : typeof value === 'object'
        ? 'an object'
        : `a ${typeof value}`;

/** A JSON array of strings, e.g. MCP_SERVER_RUN_ARGS_JSON='["server.js","--port","3001"]'. */
export const stringArrayJson: ValueParser<readonly string[]> = (raw) => {
  const parsed = parseJsonValue(raw, false);
  if (!parsed.ok) return parsed;
  const shape = 'must be a JSON array of strings such as ["server.js","--stdio"]';
  if (!Array.isArray(parsed.value)) return invalid(`${shape}, got ${describeJsonType(parsed.value)}`);
  const items: unknown[] = parsed.value;
  const bad = items.flatMap((item, index) =>
    typeof item === 'string' ? [] : [`item ${index} is ${describeJsonType(item)}`],
  );
  if (bad.length > 0) return invalid(`${shape}: ${bad.join(', ')}`);
  return valid(items as string[]);
};

/**
 * A JSON object whose values are all strings, e.g. environment variables for
 * the MCP server. Values are never echoed: they are often credentials.
 */
export function stringRecordJson(secret: boolean): ValueParser<Readonly<Record<string, string>>> {
  return (raw) => {
    const parsed = parseJsonValue(raw, secret);
    if (!parsed.ok) return parsed;
    const shape = 'must be a JSON object of string values such as {"PORT":"3001"}';
    const value = parsed.value;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return invalid(`${shape}, got ${describeJsonType(value)}`);
    }
    const entries: [string, string][] = [];
    const bad: string[] = [];
    for (const [key, item] of Object.entries(value)) {
      if (typeof item === 'string') entries.push([key, item]);
      // A number such as {"PORT":3001} is the usual slip; say how to write it.
      else
        bad.push(
          `${quoteValue(key)} is ${describeJsonType(item)}${typeof item === 'number' ? ' (quote it)' : ''}`,
        );
    }
    if (bad.length > 0) return invalid(`${shape}: ${bad.join(', ')}`);
    // fromEntries defines own properties, so even a "__proto__" key survives.
    return valid(Object.fromEntries(entries));
  };
}
