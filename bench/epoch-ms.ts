/**
 * Wall-clock milliseconds with sub-millisecond precision. `timeOrigin` is read
 * from the system clock when a process starts and `now()` is monotonic since,
 * so two processes on one machine agree to well under a millisecond: the MCP
 * server stamps a notification with it and the client subtracts.
 */
export const epochMs = (): number => performance.timeOrigin + performance.now();
