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

const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * One Intl.DateTimeFormat per time zone and option set, kept for the isolate's life: building one
 * is the costly part of formatting (routing's day caps and SLA business time format per lead).
 */
export function zonedFormat(
  timeZone: string,
  options: Omit<Intl.DateTimeFormatOptions, "timeZone">,
  locale = "en-US",
): Intl.DateTimeFormat {
  const key = `${locale} ${timeZone} ${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    formats.set(key, format);
  }
  return format;
}
