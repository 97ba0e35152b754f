import { leadIdFor } from "../../shared/contracts/mql";
import { type Batch, PORTAL_ID } from "./dated-history";

// The D1 half of a dated batch as SQL for `wrangler d1 execute --file`: lead rows, their
// audit trail and the per-day webhook counters, the way the handoff writes them.

const ROWS_PER_INSERT = 200;

export const text = (v: string | null) => (v === null ? "NULL" : `'${v.replace(/'/g, "''")}'`);
const num = (v: number | null) => (v === null ? "NULL" : String(Math.round(v)));

/** Multi-row INSERTs of literal values (`text`, `num`), ROWS_PER_INSERT rows a statement. */
export function inserts(table: string, columns: string[], rows: string[][], suffix = ""): string[] {
  const out: string[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const values = rows
      .slice(i, i + ROWS_PER_INSERT)
      .map((r) => `(${r.join(", ")})`)
      .join(",\n");
    out.push(`INSERT INTO ${table} (${columns.join(", ")}) VALUES\n${values}${suffix};`);
  }
  return out;
}

/** `ids`: Salesforce ids by the names the batch's ops gave them (the history route's answer). */
export function batchSql(batch: Batch, ids: Record<string, string>): string {
  const sfId = (ref: string | null) => (ref === null ? null : (ids[ref] ?? null));
  const leads = batch.leads.map((l) => [
    text(l.contact_id),
    text(PORTAL_ID),
    text(leadIdFor(PORTAL_ID, l.contact_id)),
    text(l.status),
    text(l.source),
    text(l.email_domain),
    text(JSON.stringify(l.reasons)),
    "1",
    num(l.engagement_score),
    text(sfId(l.salesforceRef)),
    num(l.first_event_at),
    num(l.last_event_at),
    num(l.judged_at),
    num(l.handed_off_at),
    text(l.reasons.join(";") || null),
    "NULL",
    "0",
    num(l.judged_at + 200),
    text(l.status === "handed_off" ? `bench-${l.contact_id}` : null),
    text(JSON.stringify(l.criteria)),
  ]);
  const audit = [...batch.audit]
    .sort((a, b) => a.at - b.at)
    .map((a) => {
      const detail = a.pushedRef ? { salesforceId: sfId(a.pushedRef), ...a.detail } : a.detail;
      return [
        text(a.contactId),
        num(a.at),
        text(a.step),
        text(JSON.stringify(detail)),
        text(`bench-${Math.floor(a.at / 1000)}`),
      ];
    });
  const counters = [...batch.webhookEvents].map(([day, n]) => [
    text(day),
    text("webhook_events"),
    num(n),
  ]);
  return [
    ...inserts(
      "leads",
      [
        "contact_id",
        "portal_id",
        "lead_id",
        "status",
        "source",
        "email_domain",
        "reasons",
        "rules_version",
        "engagement_score",
        "salesforce_lead_id",
        "first_event_at",
        "last_event_at",
        "judged_at",
        "handed_off_at",
        "feedback_key",
        "merged_into",
        "attempts",
        "updated_at",
        "push_key",
        "criteria",
      ],
      leads,
    ),
    ...inserts("audit", ["contact_id", "at", "step", "detail", "batch_id"], audit),
    ...inserts(
      "daily_counters",
      ["day", "name", "value"],
      counters,
      "\nON CONFLICT (day, name) DO UPDATE SET value = value + excluded.value",
    ),
  ].join("\n");
}
