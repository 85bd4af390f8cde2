/**
 * Runs a synchronous store step inside a promise, so that a throw reaches the
 * caller as a rejection (as every method of an async port must behave) and
 * never as a synchronous exception.
 */
export function runSync<T>(operation: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(operation());
  });
}
