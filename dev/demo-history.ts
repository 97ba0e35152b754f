// Two weeks of lead history for the demo's local D1: contacts judged day by day, as the handoff
// records them (lead rows, their qualified/refused audit lines, the day's webhook count), so
// today's report has trailing rates to compare with (alerts) and the dashboard has trends.
// Idempotent: a day already written is left alone, so `npm run demo` can run again.

import { leadIdFor } from "../shared/contracts/mql";

const DAY = 86_400_000;
const PORTAL_ID = "62515";

/** Per source: contacts a day and how many of them are refused (paid_social is normally clean). */
const MIX: { source: string; perDay: number; refused: number }[] = [
  { source: "organic_search", perDay: 5, refused: 2 },
  { source: "paid_search", perDay: 3, refused: 1 },
  { source: "paid_social", perDay: 4, refused: 0 },
  { source: "referrals", perDay: 2, refused: 0 },
  { source: "email_marketing", perDay: 2, refused: 1 },
];
const REASONS = [
  ["free_email_domain"],
  ["engagement_below_threshold", "no_qualifying_signal"],
  ["missing_company"],
];

const sql = (v: string | number | null) =>
  v === null
    ? "NULL"
    : typeof v === "number"
      ? String(Math.round(v))
      : `'${v.replace(/'/g, "''")}'`;

/** The SQL for the `days` days before `today` (YYYY-MM-DD). */
export function demoHistorySql(today: string, days = 14): string {
  const lines: string[] = [];
  const todayStart = Date.parse(`${today}T00:00:00Z`);
  for (let d = days; d >= 1; d--) {
    const dayStart = todayStart - d * DAY;
    const dayKey = new Date(dayStart).toISOString().slice(0, 10).replace(/-/g, "");
    let n = 0;
    for (const { source, perDay, refused } of MIX) {
      for (let i = 0; i < perDay; i++, n++) {
        const id = `9${dayKey}${String(n).padStart(2, "0")}`;
        const first = dayStart + (8 + n * 0.5) * 3_600_000;
        const judged = first + 1_500 + ((n * 733) % 2_500);
        const rejected = i < refused;
        const reasons = rejected ? REASONS[(n + d) % REASONS.length]! : [];
        const handedOff = rejected ? null : judged + 400;
        const leadId = leadIdFor(PORTAL_ID, id);
        lines.push(
          `INSERT INTO leads (contact_id, portal_id, lead_id, status, source, email_domain, reasons, rules_version, engagement_score, salesforce_lead_id, first_event_at, last_event_at, judged_at, handed_off_at, feedback_key, merged_into, updated_at, push_key, criteria) VALUES (${[
            id,
            PORTAL_ID,
            leadId,
            rejected ? "rejected" : "handed_off",
            source,
            rejected && reasons[0] === "free_email_domain" ? "gmail.com" : "example.com",
            JSON.stringify(reasons),
            1,
            rejected ? 40 : 75,
            null,
            first,
            first,
            judged,
            handedOff,
            reasons.join(";") || null,
            null,
            judged,
            null,
            JSON.stringify(rejected ? [] : ["visited_pricing_page"]),
          ]
            .map(sql)
            .join(", ")}) ON CONFLICT (contact_id) DO NOTHING;`,
          `INSERT INTO audit (contact_id, at, step, detail, batch_id) SELECT ${sql(id)}, ${judged}, ${sql(rejected ? "refused" : "qualified")}, ${sql(JSON.stringify({ rulesVersion: 1, reasons }))}, 'demo-history' WHERE NOT EXISTS (SELECT 1 FROM audit WHERE contact_id = ${sql(id)} AND step IN ('qualified', 'refused'));`,
        );
      }
    }
    const day = new Date(dayStart).toISOString().slice(0, 10);
    lines.push(
      `INSERT INTO daily_counters (day, name, value) VALUES (${sql(day)}, 'webhook_events', ${n * 10}) ON CONFLICT (day, name) DO NOTHING;`,
    );
  }
  return lines.join("\n");
}
