import { describe, expect, it } from "vitest";
import { type SlaClock, slaDueAt } from "../../workers/sla/business-time";

// slaDueAt (workers/sla/business-time.ts): N minutes counted inside business hours in the
// routing's time zone, in the runtime's own Intl.

const NEW_YORK: SlaClock = {
  businessHours: true,
  timeZone: "America/New_York",
  days: [1, 2, 3, 4, 5],
  start: "09:00",
  end: "17:00",
};
const at = (iso: string) => Date.parse(iso);

describe("slaDueAt", () => {
  it("Friday 16:50 with 30 minutes is due Monday 09:20, across a weekend and the spring-forward change", () => {
    // Friday 6 March 2026 16:50 EST (UTC-5); clocks go forward Sunday 8 March; Monday is EDT (UTC-4).
    expect(slaDueAt(at("2026-03-06T21:50:00Z"), 30, NEW_YORK)).toBe(at("2026-03-09T13:20:00Z"));
  });

  it("a lead outside the hours starts counting at the next opening", () => {
    // Tuesday 20:00 EDT → Wednesday 09:30; Wednesday 07:00 → 09:30 the same day.
    expect(slaDueAt(at("2026-06-03T00:00:00Z"), 30, NEW_YORK)).toBe(at("2026-06-03T13:30:00Z"));
    expect(slaDueAt(at("2026-06-03T11:00:00Z"), 30, NEW_YORK)).toBe(at("2026-06-03T13:30:00Z"));
  });

  it("minutes left at closing carry over to the next business day", () => {
    // Thursday 16:45 EDT + 30 → Friday 09:15; 8 hours from Monday 09:00 → Monday 17:00.
    expect(slaDueAt(at("2026-06-04T20:45:00Z"), 30, NEW_YORK)).toBe(at("2026-06-05T13:15:00Z"));
    expect(slaDueAt(at("2026-06-01T13:00:00Z"), 480, NEW_YORK)).toBe(at("2026-06-01T21:00:00Z"));
  });

  it("a day with an hour more (fall back) holds an hour more of business time", () => {
    const berlin: SlaClock = {
      businessHours: true,
      timeZone: "Europe/Berlin",
      days: [1, 2, 3, 4, 5, 6, 7],
      start: "01:00",
      end: "04:00",
    };
    // Sunday 25 October 2026: 03:00 CEST becomes 02:00 CET, so 01:00–04:00 lasts 4 hours.
    expect(slaDueAt(at("2026-10-24T23:00:00Z"), 240, berlin)).toBe(at("2026-10-25T03:00:00Z"));
    // A week earlier the window is 3 hours: the 4th hour falls the next night, 01:00–02:00 CEST.
    expect(slaDueAt(at("2026-10-17T23:00:00Z"), 240, berlin)).toBe(at("2026-10-19T00:00:00Z"));
  });

  it("without business hours it is plain minutes, weekends included", () => {
    expect(slaDueAt(at("2026-03-06T21:50:00Z"), 30, { ...NEW_YORK, businessHours: false })).toBe(
      at("2026-03-06T22:20:00Z"),
    );
  });

  it("only the listed days count", () => {
    // Mondays only, UTC: Tuesday 10:00 + 60 → next Monday 10:00.
    const mondays: SlaClock = { ...NEW_YORK, timeZone: "UTC", days: [1] };
    expect(slaDueAt(at("2026-06-02T10:00:00Z"), 60, mondays)).toBe(at("2026-06-08T10:00:00Z"));
  });
});
