import { z } from "zod";
import { SALES_STATES } from "../sales-process";

/**
 * Sales' side of a lead after the handoff, as Leadbridge writes it to HubSpot
 * (`leadbridge_sales_stage`) and keeps it in D1 (`sales_outcomes.stage`): sales accepted or
 * refused the Lead, converted it, then the sales-process state of the converted opportunity.
 */
export const SALES_STAGES = ["accepted", "sales_rejected", "converted", ...SALES_STATES] as const;
export type SalesStage = (typeof SALES_STAGES)[number];

/** What a Lead status means to Leadbridge. */
export const LEAD_STATUS_MEANINGS = ["open", "accepted", "sales_rejected", "converted"] as const;
export type LeadStatusMeaning = (typeof LEAD_STATUS_MEANINGS)[number];

/**
 * Salesforce's default Lead Status picklist. Orgs add their own values: a status not in the map
 * (telemetry_config key `lead_status_map` overrides it) counts as accepted, since sales moved the
 * Lead out of its open status.
 */
export const DEFAULT_LEAD_STATUS_MAP: Record<string, LeadStatusMeaning> = {
  "Open - Not Contacted": "open",
  "Working - Contacted": "accepted",
  "Closed - Converted": "converted",
  "Closed - Not Converted": "sales_rejected",
};
export const LeadStatusMapSchema = z.record(z.string().min(1), z.enum(LEAD_STATUS_MEANINGS));

/**
 * HubSpot's lifecycle stages in order. HubSpot does not move a contact backwards through the API
 * (a backward value is ignored unless the property is cleared first); Leadbridge only ever sends
 * a stage forward of the one it sent before.
 */
export const LIFECYCLE_ORDER = [
  "subscriber",
  "lead",
  "marketingqualifiedlead",
  "salesqualifiedlead",
  "opportunity",
  "customer",
  "evangelist",
  "other",
] as const;
export type LifecycleStage = (typeof LIFECYCLE_ORDER)[number];

/** The Lead field sales' refusal reason is read from, unless SALESFORCE_DISQUALIFICATION_FIELD says. */
export const DEFAULT_DISQUALIFICATION_FIELD = "Disqualification_Reason__c";
