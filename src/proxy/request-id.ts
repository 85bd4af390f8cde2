import { randomUUID } from 'node:crypto';

/**
 * An incoming X-Request-Id is kept when it is short and made of URL-safe
 * characters (what Heroku's router and common tracers send), so one id
 * follows the request through the router, the proxy and the MCP server; any
 * other value is replaced rather than logged or forwarded.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@+=/-]{1,200}$/;

export function requestIdFor(incoming: string | undefined): string {
  return incoming !== undefined && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
