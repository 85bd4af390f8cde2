/** A lifetime as a person reads it: `an hour`, `15 minutes`, `90 seconds`, in the largest whole unit. */
export function describeDuration(seconds: number): string {
  const units: ReadonlyArray<readonly [number, string]> = [
    [24 * 60 * 60, 'day'],
    [60 * 60, 'hour'],
    [60, 'minute'],
  ];
  for (const [unitSeconds, name] of units) {
    if (seconds >= unitSeconds && seconds % unitSeconds === 0) return plural(seconds / unitSeconds, name);
  }
  return plural(seconds, 'second');
}

const plural = (count: number, unit: string): string =>
  count === 1 ? `${unit === 'hour' ? 'an' : 'a'} ${unit}` : `${count} ${unit}s`;
