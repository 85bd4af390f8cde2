import { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A TCP endpoint to probe: the host and port of MCP_SERVER_URL. */
export interface PortAddress {
  readonly host: string;
  readonly port: number;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };
const CONNECT_TIMEOUT_MS = 1_000;

export function portAddressOf(url: URL): PortAddress {
  // URL keeps the brackets of an IPv6 literal ("[::1]"); net.connect wants the bare address.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? (DEFAULT_PORTS[url.protocol] ?? 80) : Number(url.port);
  return { host, port };
}

export function formatAddress(address: PortAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** True when a TCP connection to the address is accepted (the socket is closed again at once). */
export async function acceptsConnections(address: PortAddress): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = new Socket();
    const settle = (accepted: boolean): void => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => settle(false));
    socket.once('error', () => settle(false));
    socket.connect(address.port, address.host, () => settle(true));
  });
}

/**
 * Polls until the address accepts a TCP connection. A TCP accept is the one
 * readiness signal every MCP server gives without us knowing its routes.
 * Rejects only when `signal` aborts (its reason says why).
 */
export async function waitForPort(
  address: PortAddress,
  options: { readonly intervalMs: number; readonly signal: AbortSignal },
): Promise<void> {
  for (;;) {
    options.signal.throwIfAborted();
    if (await acceptsConnections(address)) {
      options.signal.throwIfAborted();
      return;
    }
    await sleep(options.intervalMs, undefined, { signal: options.signal });
  }
}
