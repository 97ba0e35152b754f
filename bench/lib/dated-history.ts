import type { HistoryOp } from "../../sandbox/salesforce/history";
import { REPS as DEMO_REPS } from "../../sandbox/salesforce/seed";
import { LEAD_MIX, mulberry32 } from "../../test/harness/lead-mix";

// A seeded, dated history of the funnel as Leadbridge and Salesforce would hold it after months
// of use: contacts judged day by day (D1 leads, audit, webhook counters), the qualified ones as
// Salesforce Leads, some converted into opportunities that move through the stages (history
// rows), win, lose or stall; then one report day's changes on top of it.

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;
export const PORTAL_ID = "62515";

/** HubSpot's hs_analytics_source, as the handoff records it (lower case), with rough shares. */
const SOURCES: [string, number][] = [
  ["organic_search", 30],
  ["paid_search", 20],
  ["direct_traffic", 15],
  ["social_media", 10],
  ["email_marketing", 10],
  ["referrals", 10],
  ["offline", 5],
];
const REFUSALS: Record<string, string[]> = {
  free_email: ["free_email_domain"],
  low_engagement: ["engagement_below_threshold"],
  no_signal: ["no_qualifying_signal"],
  no_company: ["missing_company"],
  no_last_name: ["missing_last_name"],
  salesforce_too_long: ["salesforce_rejected:STRING_TOO_LONG"],
};
const CRITERIA = ["visited_pricing_page", "downloaded_technical_whitepaper", "is_developer_title"];
const INDUSTRIES = ["Technology", "Finance", "Healthcare", "Manufacturing", "Retail"];
/**
 * The reps quotas are set for (the sandbox's own team), and how long before the report day each
 * started (the first one before any history).
 */
const REPS = DEMO_REPS.map((r) => ({
  first: r.FirstName,
  last: r.LastName,
  startedDaysAgo: r.startedDaysAgo,
}));
const PIPELINE: { stage: string; optional?: number; demo?: boolean }[] = [
  { stage: "Qualification" },
  { stage: "Needs Analysis", optional: 0.5 },
  { stage: "Value Proposition", demo: true },
  { stage: "Id. Decision Makers", optional: 0.4, demo: true },
  { stage: "Perception Analysis", optional: 0.3, demo: true },
  { stage: "Proposal/Price Quote" },
  { stage: "Negotiation/Review" },
];

export interface LeadState {
  contact_id: string;
  status: "handed_off" | "rejected";
  source: string;
  email_domain: string;
  reasons: string[];
  engagement_score: number;
  /** Name of its Salesforce Lead (`as` in the history ops) when handed off. */
  salesforceRef: string | null;
  first_event_at: number;
  last_event_at: number;
  judged_at: number;
  handed_off_at: number | null;
  criteria: string[];
}

export interface AuditEntry {
  contactId: string;
  at: number;
  step: string;
  detail: Record<string, unknown>;
  /** For `pushed`: the Salesforce Lead's name, whose id goes into the detail. */
  pushedRef?: string;
}

/**
 * What one stretch of time adds: D1 rows, Salesforce writes, and how many funnel events they are.
 */
export interface Batch {
  leads: LeadState[];
  audit: AuditEntry[];
  webhookEvents: Map<string, number>;
  ops: HistoryOp[];
  judgements: number;
  opportunityChanges: number;
}

type Step = { kind: "stage" | "amount"; fields: Record<string, unknown>; at: number };
interface OpenOpportunity {
  name: string;
  rep: string;
  amount: number;
  pending: Step[];
}

const emptyBatch = (): Batch => ({
  leads: [],
  audit: [],
  webhookEvents: new Map(),
  ops: [],
  judgements: 0,
  opportunityChanges: 0,
});
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export class DatedFunnel {
  private random: () => number;
  private readonly reportStart: number;
  private nextContact = 7_000_001;
  /** Handed-off Salesforce Leads not converted (yet), with the time of their last write. */
  private unconverted: { ref: string; at: number }[] = [];
  private open: OpenOpportunity[] = [];
  private reps = REPS;

  constructor(
    readonly reportDay: string,
    private readonly seed = 6,
  ) {
    this.random = mulberry32(seed);
    this.reportStart = Date.parse(`${reportDay}T00:00:00Z`);
  }

  /**
   * `days` days before the report day, about `contactsPerDay` contacts a day; whatever would
   * happen from the report day on (conversions, later stages) is left pending.
   */
  history(days: number, contactsPerDay: number): Batch {
    const batch = emptyBatch();
    const first = this.reportStart - days * DAY;
    this.reps = REPS.map((r, i) =>
      i === 0 ? { ...r, startedDaysAgo: Math.max(r.startedDaysAgo, days + 10) } : r,
    );
    for (const [i, rep] of this.reps.entries()) {
      const username = `${rep.first.toLowerCase()}.${rep.last.toLowerCase()}@leadbridge.sandbox`;
      batch.ops.push({
        op: "create",
        type: "User",
        as: `rep:${i}`,
        at: Math.min(first, this.reportStart - (rep.startedDaysAgo + 3) * DAY),
        fields: {
          Username: username,
          FirstName: rep.first,
          LastName: rep.last,
          Email: username,
          Alias: rep.last.slice(0, 5).toLowerCase(),
          IsActive: true,
          Start_Date__c: isoDay(this.reportStart - rep.startedDaysAgo * DAY),
        },
      });
    }
    for (let d = 0; d < days; d++) {
      const dayStart = first + d * DAY;
      const count = Math.round(contactsPerDay * (0.8 + 0.4 * this.random()));
      for (let i = 0; i < count; i++) this.contact(batch, dayStart, true);
    }
    return batch;
  }

  /**
   * The report day's changes: new contacts judged, conversions of earlier leads, stage moves of
   * open deals.
   */
  delta(contacts: number, conversions: number, stageMoves: number): Batch {
    const batch = emptyBatch();
    // Its own random stream, so the day is the same whatever history lies under it.
    this.random = mulberry32(this.seed + 1);
    const moving = this.take(
      this.open.filter((o) => o.pending.some((s) => s.kind === "stage")),
      stageMoves,
    );
    const converting = this.take(this.unconverted, conversions);
    for (let i = 0; i < contacts; i++) this.contact(batch, this.reportStart, false);
    for (const lead of converting)
      this.convert(batch, lead.ref, this.reportStart + HOUR + this.random() * 20 * HOUR, false);
    for (const opp of moving) {
      const step = opp.pending.find((s) => s.kind === "stage")!;
      opp.pending = opp.pending.slice(opp.pending.indexOf(step) + 1);
      const at = this.reportStart + HOUR + this.random() * 22 * HOUR;
      batch.ops.push({
        op: "update",
        type: "Opportunity",
        id: { ref: opp.name },
        at,
        by: { ref: opp.rep },
        fields: closing(step.fields, at),
      });
      batch.opportunityChanges++;
    }
    return batch;
  }

  private take<T>(list: T[], n: number): T[] {
    const picked: T[] = [];
    const pool = [...list];
    while (picked.length < n && pool.length)
      picked.push(...pool.splice(Math.floor(this.random() * pool.length), 1));
    if (picked.length < n)
      throw new Error(`the history has only ${picked.length} candidates, ${n} asked for`);
    for (const p of picked) list.splice(list.indexOf(p), 1);
    return picked;
  }

  private pick<T>(weighted: [T, number][]): T {
    let roll = this.random() * weighted.reduce((s, [, w]) => s + w, 0);
    for (const [value, w] of weighted) {
      roll -= w;
      if (roll < 0) return value;
    }
    return weighted[0]![0];
  }

  /**
   * One contact's first events on `dayStart`'s day and its judgement(s); in history it may be fixed
   * later or convert.
   */
  private contact(batch: Batch, dayStart: number, inHistory: boolean): void {
    const id = String(this.nextContact++);
    const kind = this.pick(Object.entries(LEAD_MIX));
    const source = this.pick(SOURCES);
    const firstEvent = dayStart + Math.floor(this.random() * 22 * HOUR);
    const events = 6 + Math.floor(this.random() * 6);
    const day = isoDay(firstEvent);
    batch.webhookEvents.set(day, (batch.webhookEvents.get(day) ?? 0) + events);
    let reasons = REFUSALS[kind] ?? [];
    if (kind === "qualified" && this.random() < 0.02)
      reasons = ["salesforce_rejected:DUPLICATES_DETECTED"];
    if (kind === "low_engagement" && this.random() < 0.3)
      reasons = [...reasons, "no_qualifying_signal"];
    const lead: LeadState = {
      contact_id: id,
      status: "rejected",
      source,
      email_domain: kind === "free_email" ? "gmail.com" : `bench-${Number(id) % 997}.example.com`,
      reasons,
      engagement_score:
        kind === "low_engagement"
          ? Math.floor(this.random() * 55)
          : 60 + Math.floor(this.random() * 40),
      salesforceRef: null,
      first_event_at: firstEvent,
      last_event_at: firstEvent + events * 20_000,
      judged_at: 0,
      handed_off_at: null,
      criteria: kind === "no_signal" ? [] : CRITERIA.filter(() => this.random() < 0.6),
    };
    this.judge(
      batch,
      lead,
      lead.last_event_at + 2_000 + Math.floor(this.random() * 90_000),
      reasons,
    );
    // A few are judged again the same day after a property change, with the same verdict.
    if (this.random() < 0.05)
      this.judge(
        batch,
        lead,
        lead.judged_at + (dayStart + DAY - MINUTE - lead.judged_at) * this.random(),
        lead.reasons,
      );
    // Some refusals are fixed in HubSpot days later and go through.
    if (
      inHistory &&
      lead.status === "rejected" &&
      !reasons[0]!.startsWith("salesforce") &&
      this.random() < 0.15
    ) {
      const fixedAt = lead.judged_at + (1 + this.random() * 5) * DAY;
      if (fixedAt < this.reportStart - MINUTE) this.judge(batch, lead, fixedAt, []);
    }
    batch.leads.push(lead);
    if (lead.status !== "handed_off") return;
    if (inHistory && this.random() < 0.22) {
      const convertAt = lead.handed_off_at! + (2 + this.random() * 19) * DAY;
      if (convertAt < this.reportStart) {
        this.convert(batch, lead.salesforceRef!, convertAt, true);
        return;
      }
    }
    this.unconverted.push({ ref: lead.salesforceRef!, at: lead.handed_off_at! });
  }

  private judge(batch: Batch, lead: LeadState, at: number, reasons: string[]): void {
    const id = lead.contact_id;
    batch.audit.push({
      contactId: id,
      at,
      step: "received",
      detail: { events: 3, types: ["contact.propertyChange"] },
    });
    batch.audit.push({
      contactId: id,
      at: at + 300,
      step: "enriched",
      detail: {
        hasCompany: !reasons.includes("missing_company"),
        score: lead.engagement_score,
        criteria: lead.criteria,
      },
    });
    const qualified = reasons.length === 0;
    const firstPush = qualified && !lead.salesforceRef;
    if (firstPush) {
      lead.salesforceRef = `lead:${id}`;
      lead.handed_off_at = at + 1_200;
      batch.audit.push({
        contactId: id,
        at: at + 1_100,
        step: "pushed",
        detail: { created: true },
        pushedRef: lead.salesforceRef,
      });
      batch.ops.push({
        op: "create",
        type: "Lead",
        as: lead.salesforceRef,
        at: at + 1_000,
        fields: {
          HubSpot_Contact_Id__c: id,
          FirstName: "Robin",
          LastName: `Lead ${id}`,
          Email: `lead-${id}@${lead.email_domain}`,
          Company: `Bench Co ${Number(id) % 997}`,
          Title: "Staff Engineer",
          Industry: INDUSTRIES[Number(id) % INDUSTRIES.length],
          NumberOfEmployees: 20 + (Number(id) % 4000),
          LeadSource: `HubSpot: ${lead.source}`,
          Engagement_Score__c: lead.engagement_score,
          Qualification_Criteria__c: lead.criteria.join(";"),
        },
      });
    }
    const step = qualified ? "qualified" : "refused";
    batch.audit.push({ contactId: id, at: at + 1_300, step, detail: { rulesVersion: 1, reasons } });
    batch.audit.push({
      contactId: id,
      at: at + 1_500,
      step: "feedback_written",
      detail: { status: qualified ? "handed_off" : "rejected", note: !qualified },
    });
    batch.judgements++;
    Object.assign(lead, {
      status: qualified ? "handed_off" : "rejected",
      reasons,
      judged_at: at + 1_300,
    });
  }

  /**
   * A conversion with its opportunity, which then follows a plan: stages, maybe an amount change, a
   * close.
   */
  private convert(batch: Batch, leadRef: string, at: number, inHistory: boolean): void {
    const started = this.reps
      .map((r, i) => [i, r] as const)
      .filter(([, r]) => this.reportStart - r.startedDaysAgo * DAY <= at);
    const rep = `rep:${this.pick(started.map(([i]) => [i, 1] as [number, number]))}`;
    const name = `opp:${leadRef}`;
    const amount = Math.round((8_000 * 15 ** this.random()) / 100) * 100;
    batch.ops.push({ op: "convert", lead: { ref: leadRef }, as: name, at, ownerId: { ref: rep } });
    const steps: Step[] = [
      {
        kind: "amount",
        at: at + 10 * MINUTE + this.random() * 2 * HOUR,
        fields: { Amount: amount, CloseDate: isoDay(at + 45 * DAY) },
      },
    ];
    let t = steps[0]!.at;
    for (const stage of this.plan()) {
      t += (1 + this.random() * 8) * DAY;
      steps.push({ kind: "stage", at: t, fields: { StageName: stage } });
      if (stage === "Value Proposition" && this.random() < 0.15)
        steps.push({
          kind: "amount",
          at: t + 2 * HOUR,
          fields: { Amount: Math.round(amount * 1.1) },
        });
    }
    batch.opportunityChanges++;
    const due = inHistory ? steps.filter((s) => s.at < this.reportStart) : steps.slice(0, 1);
    for (const step of due) {
      batch.ops.push({
        op: "update",
        type: "Opportunity",
        id: { ref: name },
        at: step.at,
        by: { ref: rep },
        fields: closing(step.fields, step.at),
      });
      batch.opportunityChanges++;
    }
    const pending = steps.slice(due.length);
    const closed = due.some((s) => String(s.fields.StageName ?? "").startsWith("Closed"));
    if (!closed) this.open.push({ name, rep, amount, pending });
  }

  /**
   * Stages after Prospecting: won 30%, lost at some stage 50%, stalled 20%; a few skip or go back.
   */
  private plan(): string[] {
    const path = PIPELINE.filter((s) => !s.optional || this.random() < s.optional);
    let stages = path.map((s) => s.stage);
    const twist = this.random();
    if (twist < 0.04) stages = path.filter((s) => !s.demo).map((s) => s.stage);
    else if (twist < 0.06) stages.splice(3, 0, stages[1]!);
    const outcome = this.random();
    if (outcome < 0.3) return [...stages, "Closed Won"];
    const cut = stages.slice(0, 1 + Math.floor(this.random() * (stages.length - 1)));
    return outcome < 0.8 ? [...cut, "Closed Lost"] : cut;
  }
}

/** A move into a closed stage sets the close date to that day, as reps do. */
function closing(fields: Record<string, unknown>, at: number): Record<string, unknown> {
  return String(fields.StageName ?? "").startsWith("Closed")
    ? { ...fields, CloseDate: isoDay(at) }
    : fields;
}
