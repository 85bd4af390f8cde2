import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { invalid, valid, type ValueParser } from '../variable.ts';
import { quoteValue } from './quote-value.ts';

type Entry = 'directory' | 'file' | 'missing' | 'other';

function entryAt(path: string): Entry {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) return 'missing';
  return stats.isDirectory() ? 'directory' : stats.isFile() ? 'file' : 'other';
}

/** A path resolved against the working directory; it need not exist yet (e.g. a database created on start). */
export const resolvedPath: ValueParser<string> = (raw, { cwd }) => valid(resolve(cwd, raw));

/** A directory that exists, resolved against the working directory. */
export const existingDirectory: ValueParser<string> = (raw, { cwd }) => {
  const path = resolve(cwd, raw);
  const entry = entryAt(path);
  if (entry === 'directory') return valid(path);
  return invalid(
    `must name an existing directory, but ${quoteValue(path)} ${entry === 'missing' ? 'does not exist' : 'is not a directory'}`,
  );
};

/** The templates a replacement views directory must provide (the Heroku proxy's names). */
export const REQUIRED_VIEWS = ['_layout.ejs', 'confirm-login.ejs'] as const;

/**
 * OIDC_PROVIDER_VIEWS_PATH: absolute, so that it does not silently depend on
 * where the process was started, and complete, so a missing template is found
 * at start and not on a user's first login.
 */
export const viewsDirectory: ValueParser<string> = (raw) => {
  if (!isAbsolute(raw))
    return invalid(`must be an absolute path to a directory of EJS templates, got ${quoteValue(raw)}`);
  const entry = entryAt(raw);
  if (entry !== 'directory') {
    return invalid(
      `must name an existing directory, but ${quoteValue(raw)} ${entry === 'missing' ? 'does not exist' : 'is not a directory'}`,
    );
  }
  const missing = REQUIRED_VIEWS.filter((file) => entryAt(join(raw, file)) !== 'file');
  if (missing.length > 0)
    return invalid(
      `must contain ${REQUIRED_VIEWS.join(' and ')}, but ${quoteValue(raw)} lacks ${missing.join(' and ')}`,
    );
  return valid(raw);
};

/** Members of RFC 8414 §2 metadata the login bridge cannot work without. */
const REQUIRED_METADATA = ['issuer', 'authorization_endpoint', 'token_endpoint'] as const;

/**
 * IDENTITY_SERVER_METADATA_FILE: static IdP metadata (skips discovery). Read
 * here once so a broken file fails at start with a clear message.
 */
export const identityMetadataFile: ValueParser<{ readonly path: string; readonly issuer: string }> = (
  raw,
  { cwd },
) => {
  const path = resolve(cwd, raw);
  const entry = entryAt(path);
  if (entry !== 'file') {
    return invalid(
      `must name a JSON file of authorization server metadata, but ${quoteValue(path)} ${entry === 'missing' ? 'does not exist' : 'is not a file'}`,
    );
  }
  let metadata: unknown;
  try {
    metadata = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return invalid(
      `names ${quoteValue(path)}, which is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    return invalid(
      `names ${quoteValue(path)}, which must hold a JSON object of authorization server metadata`,
    );
  }
  const record = metadata as Record<string, unknown>;
  const missing = REQUIRED_METADATA.filter(
    (member) => typeof record[member] !== 'string' || record[member] === '',
  );
  if (missing.length > 0)
    return invalid(
      `names ${quoteValue(path)}, which lacks ${missing.map((m) => `"${m}"`).join(', ')} (RFC 8414 §2)`,
    );
  return valid({ path, issuer: String(record.issuer) });
};
