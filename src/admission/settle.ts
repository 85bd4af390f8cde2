export type Settled<T> = { value: T; error?: undefined } | { value?: undefined; error: Error };

/**
 * Holds a rejection until it is awaited, so that work one step starts for a
 * later step is never reported as an unhandled rejection meanwhile.
 */
export const settle = <T>(promise: Promise<T>): Promise<Settled<T>> =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error: error instanceof Error ? error : new Error(String(error)) }),
  );

/** The value of settled work, or its error thrown now. */
export function valueOf<T>(settled: Settled<T>): T {
  if (settled.error !== undefined) throw settled.error;
  return settled.value;
}
