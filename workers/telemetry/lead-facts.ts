import type { JudgementStep, LeadOrigin } from "../../shared/contracts/outcomes";
import { MetricBag, type MetricRow, normalizeSource, percentile } from "./facts";

export interface JudgementRow {
  contact_id: string;
  step: JudgementStep;
  detail: string;
}

export interface HandoffRow {
  first_event_at: number | null;
  handed_off_at: number;
  /** Null for handoffs made before origins were kept: webhook events (or resyncs) then. */
  handoff_origin?: LeadOrigin | null;
}

export interface LeadDayInput {
  day: string;
  webhookEvents: number;
  /** qualified/refused audit rows of the day, in the order written. */
  judgements: JudgementRow[];
  /** contact id → lead source, for the contacts judged. */
  sourceOf: Map<string, string | null>;
  /** Leads first handed off that day. */
  handoffs: HandoffRow[];
  /** Sources of leads whose first HubSpot event fell on the day. */
  newLeadSources: (string | null)[];
}

/**
 * A day of the marketing side of the funnel. A contact judged twice that day counts once,
 * with its last verdict; speed-to-lead runs from the first HubSpot event to the first upsert,
 * for leads that arrived by a webhook event only; backfills and resyncs are counted apart.
 */
export function leadFacts(input: LeadDayInput): MetricRow[] {
  const { day } = input;
  const bag = new MetricBag();
  bag.add(day, "lead.webhook_events", "", input.webhookEvents);

  const last = new Map<string, JudgementRow>();
  for (const row of input.judgements) last.set(row.contact_id, row);
  bag.add(day, "lead.judged", "", last.size);
  for (const [contactId, row] of last) {
    const source = normalizeSource(input.sourceOf.get(contactId));
    bag.add(day, "lead.judged_by_source", source);
    const version = rulesVersionOf(row.detail);
    if (version !== null) bag.add(day, "lead.judged_by_rules", version);
    if (row.step === "qualified") {
      bag.add(day, "lead.qualified", "");
      if (version !== null) bag.add(day, "lead.qualified_by_rules", version);
      continue;
    }
    if (row.step === "no_longer_qualifies") {
      bag.add(day, "lead.no_longer_qualifies", "");
      continue;
    }
    // Qualified, but already a Salesforce Contact: no Lead, and not a refusal either.
    if (row.step === "existing_contact") {
      bag.add(day, "lead.existing_contact", "");
      continue;
    }
    bag.add(day, "lead.rejected", "");
    bag.add(day, "lead.rejected_by_source", source);
    for (const code of reasonsOf(row.detail)) bag.add(day, "lead.reason", code);
  }
  bag.add(day, "lead.qualified", "", 0);
  bag.add(day, "lead.rejected", "", 0);

  bag.add(day, "lead.no_longer_qualifies", "", 0);
  bag.add(day, "lead.existing_contact", "", 0);

  const bulk = input.handoffs.filter((h) => h.handoff_origin && h.handoff_origin !== "webhook");
  const latencies = input.handoffs
    .filter((h) => h.first_event_at !== null && !bulk.includes(h))
    .map((h) => Math.max(0, h.handed_off_at - h.first_event_at!))
    .sort((a, b) => a - b);
  bag.add(day, "lead.handed_off", "", input.handoffs.length);
  bag.set(day, "lead.speed_count", "", latencies.length);
  if (latencies.length) {
    bag.set(day, "lead.speed_p50_ms", "", percentile(latencies, 0.5)!);
    bag.set(day, "lead.speed_p95_ms", "", percentile(latencies, 0.95)!);
    bag.set(day, "lead.speed_max_ms", "", latencies[latencies.length - 1]!);
  }
  bag.add(day, "lead.bulk_handed_off", "", bulk.length);
  for (const h of bulk) bag.add(day, "lead.bulk_handed_off_by_origin", h.handoff_origin!);
  if (bulk.length) {
    const times = bulk.map((h) => h.handed_off_at);
    bag.set(day, "lead.bulk_span_ms", "", Math.max(...times) - Math.min(...times));
  }
  for (const source of input.newLeadSources)
    bag.add(day, "lead.new_by_source", normalizeSource(source));
  return bag.list();
}

/** The rules version a verdict line names, as a metric dimension ("3"); null on older lines. */
function rulesVersionOf(detail: string): string | null {
  try {
    const { rulesVersion } = JSON.parse(detail) as { rulesVersion?: unknown };
    return Number.isInteger(rulesVersion) ? String(rulesVersion) : null;
  } catch {
    return null;
  }
}

function reasonsOf(detail: string): string[] {
  try {
    const parsed = JSON.parse(detail) as { reasons?: unknown };
    return Array.isArray(parsed.reasons)
      ? parsed.reasons.filter((r): r is string => typeof r === "string")
      : [];
  } catch {
    return [];
  }
}
