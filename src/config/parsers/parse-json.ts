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

/** The JSON type of a value, for messages: `null`, `an array`, `a number`, ... */
export const describeJsonType = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : typeof value === 'object'
        ? 'an object'
        : `a ${typeof value}`;

/**
 * What `child_process.spawn` makes of a JSON value in argv or the environment:
 * numbers and booleans become their decimal/literal text (`3000` → `"3000"`),
 * exactly as the Heroku proxy's child saw them (heroku-compat §3a). null,
 * arrays and objects would arrive as `null`, `a,b` or `[object Object]`, which
 * is never what was meant, so they have no text here.
 */
function spawnText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  // JSON has no NaN or Infinity, so String() is the same decimal text spawn would write.
  if (typeof value === 'number') return String(value);
  return undefined;
}

/**
 * Command-line arguments out of a parsed JSON or YAML value: an array whose
 * numbers and booleans are taken as text, as the Heroku proxy's spawn did.
 * `shape` is what the message says the value must be.
 */
export function stringArrayValue(value: unknown, shape: string): Parsed<readonly string[]> {
  if (!Array.isArray(value)) return invalid(`${shape}, got ${describeJsonType(value)}`);
  const items: unknown[] = value;
  const texts: string[] = [];
  const bad: string[] = [];
  items.forEach((item, index) => {
    const text = spawnText(item);
    if (text === undefined) bad.push(`item ${index} is ${describeJsonType(item)}`);
    else texts.push(text);
  });
  if (bad.length > 0) return invalid(`${shape}: ${bad.join(', ')}`);
  return valid(texts);
}

/**
 * A JSON array of command-line arguments, e.g.
 * MCP_SERVER_RUN_ARGS_JSON='["server.js","--port",3001]'. Numbers and booleans
 * are accepted and passed as text, as the Heroku proxy's spawn did.
 */
export const stringArrayJson: ValueParser<readonly string[]> = (raw) => {
  const parsed = parseJsonValue(raw, false);
  if (!parsed.ok) return parsed;
  return stringArrayValue(parsed.value, 'must be a JSON array of strings such as ["server.js","--stdio"]');
};

/**
 * Environment variables out of a parsed JSON or YAML value: an object whose
 * numbers and booleans are taken as text ({"PORT":3000} gives PORT=3000).
 * Values are never echoed: they are often credentials.
 */
export function stringRecordValue(value: unknown, shape: string): Parsed<Readonly<Record<string, string>>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid(`${shape}, got ${describeJsonType(value)}`);
  }
  const entries: [string, string][] = [];
  const bad: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    const text = spawnText(item);
    if (text === undefined) bad.push(`${quoteValue(key)} is ${describeJsonType(item)}`);
    else entries.push([key, text]);
  }
  if (bad.length > 0) return invalid(`${shape} (numbers and booleans are taken as text): ${bad.join(', ')}`);
  // fromEntries defines own properties, so even a "__proto__" key survives.
  return valid(Object.fromEntries(entries));
}

/**
 * A JSON object of environment variables for the MCP server, e.g.
 * {"PORT":3000,"BACKEND_API_URL":"https://mcp.example.com"}: the Heroku
 * proxy's README writes PORT as a number, and the child gets "3000". Values
 * are never echoed: they are often credentials.
 */
export function stringRecordJson(secret: boolean): ValueParser<Readonly<Record<string, string>>> {
  return (raw) => {
    const parsed = parseJsonValue(raw, secret);
    if (!parsed.ok) return parsed;
    return stringRecordValue(parsed.value, 'must be a JSON object of string values such as {"PORT":"3001"}');
  };
}
