import { type AuditEntry, insertAudits } from "../../shared/db/leads";
import type { Logger } from "../../shared/log";
import type { StageMap } from "../../shared/sales-process";
import { firstTouchStatements } from "../sla/store";
import { readPending } from "../telemetry/pending";
import { sfTime } from "../telemetry/sf-records";
import {
  deriveOutcome,
  type MirroredLead,
  type MirroredOpportunity,
  type SalesOutcome,
} from "./derive";
import type { LeadStatusMap } from "./status-map";
import { jsonColumns, selectByKeys } from "./store";

/** Pending Leads derived per run; the rest wait for the next run (they stay in sf_pending). */
export const MAX_DERIVED_PER_RUN = 5000;

export interface DeriveResult {
  derived: number;
  /** Leads whose contact Leadbridge never handed off (no leads row): nothing to tell. */
  skippedUnknown: number;
  /** Pending marks left for the next run. */
  remaining: boolean;
}

type LeadFacts = {
  contact_id: string;
  source: string | null;
  salesforce_lead_id: string | null;
  converted_at: number | null;
  converted_contact_id: string | null;
  converted_account_id: string | null;
  converted_opportunity_id: string | null;
};

/**
 * Works out the sales outcome of every Lead a pull marked (sf_pending outcome_lead, and the Leads
 * converted into a marked opportunity), and stores it with the consumed marks, the conversions
 * learnt and the audit lines in one transaction.
 */
export async function deriveOutcomes(
  db: D1Database,
  maps: { statusMap: LeadStatusMap; stageMap: StageMap },
  log: Logger,
  now: number,
): Promise<DeriveResult> {
  const leadMarks = await readPending(db, "outcome_lead", MAX_DERIVED_PER_RUN);
  const oppMarks = await readPending(db, "outcome_opportunity", MAX_DERIVED_PER_RUN);
  const remaining =
    leadMarks.keys.length === MAX_DERIVED_PER_RUN || oppMarks.keys.length === MAX_DERIVED_PER_RUN;
  const mirrored = await readMirroredLeads(db, leadMarks.keys, oppMarks.keys);
  const opportunities = await readOpportunities(
    db,
    mirrored.flatMap((l) => (l.converted_opportunity_id ? [l.converted_opportunity_id] : [])),
  );
  const contactIds = [...new Set(mirrored.flatMap((l) => l.hubspot_contact_id ?? []))];
  const facts = new Map(
    (
      await selectByKeys<LeadFacts>(
        db,
        (keys) =>
          `SELECT contact_id, source, salesforce_lead_id, converted_at, converted_contact_id, converted_account_id, converted_opportunity_id FROM leads WHERE contact_id IN (${keys})`,
        contactIds,
      )
    ).map((r) => [r.contact_id, r]),
  );
  const previous = new Map(
    (
      await selectByKeys<SalesOutcome>(
        db,
        (keys) => `SELECT * FROM sales_outcomes WHERE contact_id IN (${keys})`,
        contactIds,
      )
    ).map((r) => [r.contact_id, r]),
  );

  const outcomes: SalesOutcome[] = [];
  const audits: AuditEntry[] = [];
  const conversions: LearntConversion[] = [];
  let skippedUnknown = 0;
  for (const lead of mirrored) {
    const contact = lead.hubspot_contact_id ? facts.get(lead.hubspot_contact_id) : undefined;
    // A contact Leadbridge never handed off, or a Lead that is no longer the contact's own (its
    // contact was merged into one holding another Lead).
    if (!contact || (contact.salesforce_lead_id && contact.salesforce_lead_id !== lead.id)) {
      skippedUnknown++;
      continue;
    }
    const before = previous.get(contact.contact_id) ?? null;
    const outcome = deriveOutcome({
      lead,
      opportunity: lead.converted_opportunity_id
        ? (opportunities.get(lead.converted_opportunity_id) ?? null)
        : null,
      previous: before,
      source: contact.source,
      ...maps,
      now,
    });
    const conversion = lead.is_converted ? conversionToRecord(contact, lead, now, audits) : null;
    if (conversion) conversions.push(conversion);
    if (!outcome) continue;
    outcomes.push(outcome);
    previous.set(contact.contact_id, outcome);
    if (!before || before.stage !== outcome.stage || before.feedback !== outcome.feedback)
      audits.push({
        contactId: outcome.contact_id,
        step: "sales_stage",
        at: now,
        detail: {
          stage: outcome.stage,
          ...(outcome.stage === "sales_rejected" ? { reason: outcome.feedback } : {}),
          salesforceId: lead.id,
          ...(outcome.lifecycle ? { lifecycle: outcome.lifecycle } : {}),
        },
      });
  }

  const statements = [
    ...upsertOutcomes(db, outcomes),
    ...recordFirstTouches(db, outcomes),
    ...recordConversions(db, conversions, now),
    ...insertAudits(db, audits),
    ...leadMarks.release(),
    ...oppMarks.release(),
  ];
  if (statements.length) await db.batch(statements);
  if (mirrored.length)
    log.info("outcomes_derived", {
      leads: mirrored.length,
      derived: outcomes.length,
      skippedUnknown,
    });
  return { derived: outcomes.length, skippedUnknown, remaining };
}

async function readMirroredLeads(
  db: D1Database,
  leadIds: string[],
  opportunityIds: string[],
): Promise<MirroredLead[]> {
  const rows = [
    ...(await selectByKeys<MirroredRow>(
      db,
      (keys) => `SELECT * FROM sf_leads WHERE id IN (${keys})`,
      leadIds,
    )),
    ...(await selectByKeys<MirroredRow>(
      db,
      (keys) => `SELECT * FROM sf_leads WHERE converted_opportunity_id IN (${keys})`,
      opportunityIds,
    )),
  ];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return [...byId.values()].map(({ modstamp, ...r }) => ({ ...r, modstampMs: sfTime(modstamp) }));
}
type MirroredRow = Omit<MirroredLead, "modstampMs"> & { modstamp: string };

async function readOpportunities(
  db: D1Database,
  ids: string[],
): Promise<Map<string, MirroredOpportunity>> {
  const rows = await selectByKeys<{
    id: string;
    stage_name: string;
    is_won: number;
    modstamp: string;
  }>(
    db,
    (keys) => `SELECT id, stage_name, is_won, modstamp FROM sf_opportunities WHERE id IN (${keys})`,
    [...new Set(ids)],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      { stage_name: r.stage_name, is_won: r.is_won, modstampMs: sfTime(r.modstamp) },
    ]),
  );
}

/** A conversion the lead row does not fully know yet; an audit line the first time it is learnt. */
function conversionToRecord(
  contact: LeadFacts,
  lead: MirroredLead,
  now: number,
  audits: AuditEntry[],
): LearntConversion | null {
  const known =
    contact.converted_at !== null &&
    contact.converted_contact_id !== null &&
    contact.converted_account_id !== null &&
    (contact.converted_opportunity_id !== null || lead.converted_opportunity_id === null);
  if (known) return null;
  if (contact.converted_at === null)
    audits.push({
      contactId: contact.contact_id,
      step: "lead_converted",
      at: now,
      detail: {
        learntFrom: "outcome_sync",
        salesforceId: lead.id,
        convertedContactId: lead.converted_contact_id,
        convertedAccountId: lead.converted_account_id,
        convertedOpportunityId: lead.converted_opportunity_id,
      },
    });
  return [
    contact.contact_id,
    lead.id,
    lead.converted_contact_id,
    lead.converted_account_id,
    lead.converted_opportunity_id,
  ];
}
type LearntConversion = [
  contactId: string,
  leadId: string,
  contact: string | null,
  account: string | null,
  opportunity: string | null,
];

/**
 * The lead rows learn their Lead is converted (nothing is pushed to it any more): a targeted
 * update of the columns still empty, never a rewrite of the row.
 */
function recordConversions(
  db: D1Database,
  conversions: LearntConversion[],
  now: number,
): D1PreparedStatement[] {
  if (!conversions.length) return [];
  return [
    db
      .prepare(
        `UPDATE leads SET converted_at = COALESCE(converted_at, ?1),
           salesforce_lead_id = COALESCE(salesforce_lead_id, json_extract(w.value, '$[1]')),
           converted_contact_id = COALESCE(converted_contact_id, json_extract(w.value, '$[2]')),
           converted_account_id = COALESCE(converted_account_id, json_extract(w.value, '$[3]')),
           converted_opportunity_id = COALESCE(converted_opportunity_id, json_extract(w.value, '$[4]'))
         FROM json_each(?2) AS w WHERE leads.contact_id = json_extract(w.value, '$[0]')`,
      )
      .bind(now, JSON.stringify(conversions)),
  ];
}

/**
 * The first touch of an assigned lead (assignments.first_touch_at, set once): the SLA consumer then
 * knows it was touched without asking Salesforce, and the report measures speed to first touch.
 * Every derived outcome is a Lead out of its open status (or converted): touched.
 */
function recordFirstTouches(db: D1Database, outcomes: SalesOutcome[]): D1PreparedStatement[] {
  return firstTouchStatements(
    db,
    outcomes.flatMap((o) => (o.touched_at ? [{ contactId: o.contact_id, at: o.touched_at }] : [])),
  );
}

const OUTCOME_COLUMNS = [
  "contact_id",
  "lead_id",
  "stage",
  "lifecycle",
  "feedback",
  "source",
  "touched_at",
  "accepted_at",
  "rejected_at",
  "opportunity_at",
  "won_at",
  "stage_changed_at",
  "note_key",
  "version",
] as const satisfies readonly (keyof SalesOutcome)[];

/**
 * Upserts of derived outcomes; what the writer records (written_*, note_*) is left alone, but a new
 * version clears the wait of a contact HubSpot refused (retry_at): new values are tried at once.
 */
function upsertOutcomes(db: D1Database, outcomes: SalesOutcome[]): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = [];
  for (let i = 0; i < outcomes.length; i += 500) {
    const rows = outcomes.slice(i, i + 500).map((o) => OUTCOME_COLUMNS.map((c) => o[c]));
    out.push(
      db
        .prepare(
          `INSERT INTO sales_outcomes (${OUTCOME_COLUMNS.join(", ")})
           SELECT ${jsonColumns(OUTCOME_COLUMNS.length)} FROM json_each(?) WHERE true
           ON CONFLICT (contact_id) DO UPDATE SET
             ${OUTCOME_COLUMNS.slice(1)
               .map((c) => `${c} = excluded.${c}`)
               .join(", ")},
             retry_at = CASE WHEN excluded.version <> sales_outcomes.version THEN NULL ELSE sales_outcomes.retry_at END`,
        )
        .bind(JSON.stringify(rows)),
    );
  }
  return out;
}
