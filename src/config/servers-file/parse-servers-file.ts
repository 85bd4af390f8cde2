import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { quoteValue } from '../parsers/index.ts';
import { invalid, valid, type Parsed, type ValueParser } from '../variable.ts';

/** A servers file (or access rules file) read and parsed, not yet validated. */
export interface ServersFileDocument {
  /** The absolute path of the file. */
  readonly path: string;
  /** Where relative paths inside the file are resolved. */
  readonly directory: string;
  /** The file as the variable names it, for problem messages. */
  readonly label: string;
  /** The parsed YAML or JSON: anything, until validated. */
  readonly content: unknown;
}

const YAML_EXTENSIONS = new Set(['.yaml', '.yml']);

/** 1-based line and column of a character offset, as editors count them. */
function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/**
 * YAML 1.2 (the `yaml` package's core schema: `yes` stays a string, duplicate
 * keys are errors). Its messages are kept without the source excerpt that
 * pretty errors add: the excerpt could show a secret of a server's `env`.
 */
function parseYaml(text: string, label: string): Parsed<unknown> {
  const document = parseDocument(text, { prettyErrors: false });
  if (document.errors.length > 0) {
    return invalid(
      ...document.errors.map(
        (error) => `(${label}): ${lineAndColumn(text, error.pos[0])}: ${error.message} (YAML)`,
      ),
    );
  }
  const warnings = document.warnings.map(
    (warning) => `(${label}): ${lineAndColumn(text, warning.pos[0])}: ${warning.message} (YAML)`,
  );
  try {
    return valid(document.toJS() as unknown, warnings);
  } catch (error) {
    // toJS refuses alias bombs (maxAliasCount).
    return invalid(`(${label}): ${error instanceof Error ? error.message : String(error)} (YAML)`);
  }
}

/**
 * Where JSON.parse stopped, and why, without a word of the input: V8 quotes
 * the text around an unexpected token, which may be a secret of a server's
 * `env`. Its "... in JSON at position N" messages quote nothing and are kept;
 * otherwise the place comes from the `yaml` package's JSON schema, whose own
 * message (which quotes the scalar) is dropped.
 */
function jsonErrorPlace(text: string, message: string): { offset: number | undefined; detail: string } {
  const positioned = /^(.*) in JSON at position (\d+)/.exec(message);
  if (positioned?.[1] !== undefined && positioned[2] !== undefined) {
    return { offset: Number(positioned[2]), detail: ` (${positioned[1]})` };
  }
  const error = parseDocument(text, { schema: 'json', prettyErrors: false }).errors[0];
  return { offset: error?.pos[0], detail: '' };
}

function parseJson(text: string, label: string): Parsed<unknown> {
  try {
    return valid(JSON.parse(text) as unknown);
  } catch (error) {
    const { offset, detail } = jsonErrorPlace(text, error instanceof Error ? error.message : '');
    const place = offset === undefined ? '' : `: ${lineAndColumn(text, offset)}`;
    return invalid(`(${label})${place}: is not valid JSON${detail}`);
  }
}

/**
 * A YAML (.yaml, .yml) or JSON (.json) file named by a variable, resolved
 * against the working directory, read and parsed (not validated): `noun` names
 * it in problems ("must name a servers file, but ... does not exist").
 */
export function structuredFile(noun: string): ValueParser<ServersFileDocument> {
  return (raw, { cwd }) => {
    const path = resolve(cwd, raw);
    const extension = extname(path).toLowerCase();
    if (!YAML_EXTENSIONS.has(extension) && extension !== '.json') {
      return invalid(`must name a .yaml, .yml or .json file, got ${quoteValue(raw)}`);
    }
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        code === 'ENOENT'
          ? 'does not exist'
          : code === 'EISDIR'
            ? 'is a directory'
            : `cannot be read (${code ?? 'unknown error'})`;
      return invalid(`must name ${noun}, but ${quoteValue(path)} ${reason}`);
    }
    const parsed = YAML_EXTENSIONS.has(extension) ? parseYaml(text, raw) : parseJson(text, raw);
    if (!parsed.ok) return parsed;
    return valid({ path, directory: dirname(path), label: raw, content: parsed.value }, parsed.warnings);
  };
}

/**
 * MCP_AUTH_PROXY_SERVERS_FILE, read and parsed once at start so a broken file
 * stops the start with its line and column.
 */
export const serversFile: ValueParser<ServersFileDocument> = structuredFile('a servers file');
