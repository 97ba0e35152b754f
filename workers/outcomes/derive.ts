import {
  LIFECYCLE_ORDER,
  type LifecycleStage,
  type SalesStage,
} from "../../shared/contracts/sales";
import type { StageMap } from "../../shared/sales-process";
import type { SfLeadRow } from "../telemetry/sf-records";
import { type LeadStatusMap, statusMeaning } from "./status-map";

// Sales' side of one handed-off lead, worked out from the Salesforce mirror; pure.

/** A Lead as sf_leads holds it. */
export interface MirroredLead extends SfLeadRow {
  first_touched_at: number | null;
  /** SystemModstamp, ms. */
  modstampMs: number;
}

/** The converted opportunity, as sf_opportunities holds it. */
export interface MirroredOpportunity {
  stage_name: string;
  is_won: number;
  /** SystemModstamp, ms. */
  modstampMs: number;
}

/** A sales_outcomes row's derived part. */
export interface SalesOutcome {
  contact_id: string;
  lead_id: string;
  stage: SalesStage;
  lifecycle: LifecycleStage | null;
  feedback: string;
  source: string | null;
  touched_at: number | null;
  accepted_at: number | null;
  rejected_at: number | null;
  opportunity_at: number | null;
  won_at: number | null;
  stage_changed_at: number;
  note_key: string | null;
  version: number;
}

export interface DeriveInput {
  lead: MirroredLead;
  opportunity: MirroredOpportunity | null;
  previous: SalesOutcome | null;
  /** leads.source of the contact. */
  source: string | null;
  statusMap: LeadStatusMap;
  stageMap: StageMap;
  now: number;
}

/** The stage a Lead is at for sales; null while it is still open (nothing to tell). */
export function salesStage(
  lead: MirroredLead,
  opportunity: MirroredOpportunity | null,
  statusMap: LeadStatusMap,
  stageMap: StageMap,
): SalesStage | null {
  if (lead.is_converted) {
    const state = opportunity ? stageMap[opportunity.stage_name] : undefined;
    return state ?? "converted";
  }
  const meaning = statusMeaning(lead.status, statusMap);
  return meaning === "open" ? null : meaning;
}

/** The lifecycle stage sales' progress earns; sales' refusal earns none. */
export function earnedLifecycle(
  stage: SalesStage,
  lead: MirroredLead,
  opportunity: MirroredOpportunity | null,
): LifecycleStage | null {
  if (stage === "sales_rejected") return null;
  if (stage === "ClosedWon" || opportunity?.is_won) return "customer";
  if (lead.is_converted && lead.converted_opportunity_id) return "opportunity";
  return "salesqualifiedlead";
}

/** The later of two lifecycle stages: what a contact has earned is never taken back. */
export function furthest(
  a: LifecycleStage | null,
  b: LifecycleStage | null,
): LifecycleStage | null {
  if (!a || !b) return a ?? b;
  return LIFECYCLE_ORDER.indexOf(a) >= LIFECYCLE_ORDER.indexOf(b) ? a : b;
}

/** The note a refusal owes: one per Lead and reason (a changed reason owes a new one). */
export function refusalNoteKey(leadId: string, reason: string): string {
  return `${leadId}:${reason}`;
}

/**
 * The outcome the mirror shows now, or null when there is nothing to tell (an open Lead). The
 * version moves only when what HubSpot is told changes: the stage, the lifecycle, the feedback or
 * the note owed.
 */
export function deriveOutcome(input: DeriveInput): SalesOutcome | null {
  const { lead, opportunity, previous, now } = input;
  const stage = salesStage(lead, opportunity, input.statusMap, input.stageMap);
  if (!stage) return null;
  const contactId = lead.hubspot_contact_id!;
  const rejected = stage === "sales_rejected";
  const reason = rejected ? (lead.disqualification_reason ?? "").trim() : "";
  const lifecycle = furthest(
    previous?.lifecycle ?? null,
    earnedLifecycle(stage, lead, opportunity),
  );
  const note_key = rejected ? refusalNoteKey(lead.id, reason) : (previous?.note_key ?? null);
  const won = stage === "ClosedWon" || Boolean(opportunity?.is_won);
  const withOpportunity = lead.is_converted === 1 && lead.converted_opportunity_id !== null;
  const once = (held: number | null | undefined, reached: boolean, at: number) =>
    held ?? (reached ? at : null);
  const changed =
    !previous ||
    previous.stage !== stage ||
    previous.lifecycle !== lifecycle ||
    previous.feedback !== reason ||
    previous.note_key !== note_key;
  return {
    contact_id: contactId,
    lead_id: lead.id,
    stage,
    lifecycle,
    feedback: reason,
    source: input.source ?? previous?.source ?? null,
    touched_at: once(previous?.touched_at, true, lead.first_touched_at ?? lead.modstampMs),
    accepted_at: once(previous?.accepted_at, !rejected, lead.modstampMs),
    rejected_at: once(previous?.rejected_at, rejected, lead.modstampMs),
    opportunity_at: once(previous?.opportunity_at, withOpportunity, lead.modstampMs),
    won_at: once(previous?.won_at, won, opportunity?.modstampMs ?? now),
    stage_changed_at: previous && previous.stage === stage ? previous.stage_changed_at : now,
    note_key,
    version: !previous ? 1 : changed ? previous.version + 1 : previous.version,
  };
}
