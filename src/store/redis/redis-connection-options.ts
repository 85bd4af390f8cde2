import { isIP } from 'node:net';

/** Where and how to reach Redis, as read from a `redis://` or `rediss://` URL. */
export interface RedisConnectionOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** The database index from the URL path (`redis://host:6379/2`), 0 when absent. */
  db: number;
  /** Present for `rediss://` only. */
  tls?: { servername?: string; rejectUnauthorized: boolean };
}

const DEFAULT_PORT = 6379;

/**
 * Reads the URL form that Heroku Key-Value Store and most providers hand out
 * (https://www.iana.org/assignments/uri-schemes/prov/redis,
 * https://www.iana.org/assignments/uri-schemes/prov/rediss). The password is
 * percent-decoded here and never leaves this object except to the client.
 */
export function redisConnectionOptions(url: string, tlsRejectUnauthorized: boolean): RedisConnectionOptions {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new TypeError(`A Redis URL must start with redis:// or rediss://, got ${parsed.protocol}//`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: RedisConnectionOptions = {
    host,
    port: parsed.port === '' ? DEFAULT_PORT : Number(parsed.port),
    db: databaseIndex(parsed.pathname),
  };
  if (parsed.username !== '') options.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') options.password = decodeURIComponent(parsed.password);
  if (parsed.protocol === 'rediss:') {
    // SNI carries host names only (RFC 6066 §3); an address literal is sent without it.
    options.tls =
      isIP(host) === 0
        ? { servername: host, rejectUnauthorized: tlsRejectUnauthorized }
        : {
            rejectUnauthorized: tlsRejectUnauthorized,
          };
  }
  return options;
}

function databaseIndex(pathname: string): number {
  const segment = pathname.replace(/^\//, '');
  if (segment === '') return 0;
  if (!/^\d+$/.test(segment))
    throw new TypeError(`The Redis URL path must be a database index, got /${segment}`);
  return Number(segment);
}

/** The URL as it may be logged: any password replaced. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = 'redacted';
    return parsed.toString();
  } catch {
    return '[unparseable Redis URL]';
  }
}
