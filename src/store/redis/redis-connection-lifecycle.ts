import type { Logger } from '../../shared/logger.ts';
import { CONNECT_TIMEOUT_MS, DISCONNECT_TIMEOUT_MS, type RedisCommandClient } from './redis-clients.ts';

/**
 * Waits for the first connection, but never longer than one connect attempt:
 * a proxy whose Redis is down still starts, answers 503 where it needs the
 * store, and recovers when Redis comes back.
 */
export async function firstConnection(client: RedisCommandClient, ready?: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CONNECT_TIMEOUT_MS);
  });
  const connected = client.connect().then(
    () => ready,
    () => undefined,
  );
  try {
    await Promise.race([connected, giveUp]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolves when the client has let go of its sockets, so a caller that closes
 * the store can exit at once. Bounded: a client that was between reconnect
 * attempts has no socket left to report its end.
 */
export async function connectionEnded(client: RedisCommandClient): Promise<void> {
  if (client.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve) => {
    client.once('end', resolve);
    timer = setTimeout(resolve, DISCONNECT_TIMEOUT_MS);
  });
  clearTimeout(timer);
}

/** Ends the client: QUIT lets Redis answer what is in flight; a dead link is simply dropped. */
export async function closeClient(client: RedisCommandClient): Promise<void> {
  const ended = connectionEnded(client);
  if (client.status === 'ready') {
    await client.quit().catch(() => client.disconnect());
  } else {
    client.disconnect();
  }
  await ended;
}

/**
 * Logs an outage once when it starts and once when it ends, however many
 * reconnect attempts fail in between. Listening to 'error' is also what keeps
 * a connection failure from becoming an uncaught exception.
 */
export function watchOutages(
  client: RedisCommandClient,
  location: string,
  logger: Logger,
  isClosing: () => boolean,
): void {
  let down = false;
  const markDown = (reason: string): void => {
    if (down || isClosing()) return;
    down = true;
    logger.warn({ event: 'store.unavailable', store: 'redis', url: location, reason }, 'store.unavailable');
  };
  client.on('error', (error: Error) => markDown(error.message));
  client.on('close', () => markDown('connection closed'));
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info({ event: 'store.recovered', store: 'redis', url: location }, 'store.recovered');
  });
}
