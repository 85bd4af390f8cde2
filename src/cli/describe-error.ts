/**
 * A one-line account of a failure for a report: the error's message and, when
 * it wraps a lower-level cause (ECONNREFUSED, a DNS failure), that cause too.
 * Our own errors never carry secrets in their messages (style.md).
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  const detail =
    cause instanceof Error
      ? ((cause as NodeJS.ErrnoException).code ?? cause.message)
      : typeof cause === 'string'
        ? cause
        : undefined;
  return detail === undefined || error.message.includes(detail)
    ? error.message
    : `${error.message} (${detail})`;
}
