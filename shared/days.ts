/** UTC calendar days as YYYY-MM-DD: the unit of the daily counters and the nightly report. */

export const DAY_MS = 86_400_000;

/** UTC calendar day of a millisecond timestamp. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return utcDay(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS);
}

/** A day's bounds in milliseconds: start inclusive, end exclusive. */
export function dayRange(day: string): { start: number; end: number } {
  const start = Date.parse(`${day}T00:00:00Z`);
  return { start, end: start + DAY_MS };
}
