// When an SLA falls due (docs/sla.md): N minutes of plain time, or N minutes counted only inside
// business hours on the routing's days, read as wall time in its time zone; pure.

import { zonedFormat } from "../../shared/days";

export interface SlaClock {
  /** Count only the hours between start and end on the listed days. */
  businessHours: boolean;
  /** IANA time zone the hours are read in, e.g. Europe/Berlin. */
  timeZone: string;
  /** ISO weekdays: 1 Monday … 7 Sunday. */
  days: number[];
  /** "HH:MM", 24-hour. */
  start: string;
  end: string;
}

const MINUTE_MS = 60_000;

/**
 * The moment `minutes` of SLA time have passed since `startMs`. With business hours, a lead that
 * arrives outside them starts counting at the next opening; each day's window is worked out from
 * that day's wall clock, so a daylight-saving change moves it with the clock (Intl, not a fixed
 * offset). Without, plain minutes.
 */
export function slaDueAt(startMs: number, minutes: number, clock: SlaClock): number {
  let remaining = minutes * MINUTE_MS;
  if (!clock.businessHours || remaining <= 0) return startMs + remaining;
  const days = new Set(clock.days);
  const [openH, openM] = hhmm(clock.start);
  const [closeH, closeM] = hhmm(clock.end);
  let date = wallDate(startMs, clock.timeZone);
  // A week of days without an opening is a configuration no schema allows; the bound only keeps a
  // bad clock from spinning (10,080 minutes at one minute a week is under 200 years of days).
  for (let i = 0; i < 80_000; i++) {
    if (days.has(isoWeekday(date))) {
      const open = zonedTime(date, openH, openM, clock.timeZone);
      const close = zonedTime(date, closeH, closeM, clock.timeZone);
      const from = Math.max(startMs, open);
      if (from < close) {
        if (remaining <= close - from) return from + remaining;
        remaining -= close - from;
      }
    }
    date = nextDate(date);
  }
  throw new Error("business hours have no opening: check the routing's days and times");
}

type WallDate = { y: number; m: number; d: number };

const hhmm = (clock: string): [number, number] => {
  const [h, m] = clock.split(":").map(Number);
  return [h ?? 0, m ?? 0];
};

const WALL_PARTS = {
  hourCycle: "h23",
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "numeric",
  minute: "numeric",
  second: "numeric",
} as const;
const format = (timeZone: string) => zonedFormat(timeZone, WALL_PARTS);

/** The wall clock in `timeZone` at `ms`, as the fields of a UTC date. */
function wallParts(ms: number, timeZone: string): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const p of format(timeZone).formatToParts(ms))
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  return parts;
}

function wallDate(ms: number, timeZone: string): WallDate {
  const p = wallParts(ms, timeZone);
  return { y: p.year!, m: p.month!, d: p.day! };
}

/** How far the zone's wall clock is ahead of UTC at `ms`. */
function offsetAt(ms: number, timeZone: string): number {
  const p = wallParts(ms, timeZone);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant the zone's clocks show `h:m` on `date`. Guessed with the offset of the wall time
 * read as UTC, then corrected once by the offset at the guess: right on both sides of a change.
 * A time the clocks skip (02:30 on a spring-forward night) lands just after the jump.
 */
function zonedTime(date: WallDate, h: number, m: number, timeZone: string): number {
  const wall = Date.UTC(date.y, date.m - 1, date.d, h, m);
  const guess = wall - offsetAt(wall, timeZone);
  const offset = offsetAt(guess, timeZone);
  return wall - offset;
}

function isoWeekday({ y, m, d }: WallDate): number {
  const day = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return day === 0 ? 7 : day;
}

function nextDate({ y, m, d }: WallDate): WallDate {
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  return { y: next.getUTCFullYear(), m: next.getUTCMonth() + 1, d: next.getUTCDate() };
}
