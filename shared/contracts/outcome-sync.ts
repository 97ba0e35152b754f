import { z } from "zod";

/** Why a run did not pull from Salesforce: over the daily budget, or Salesforce failed. */
export const PULL_SKIP_REASONS = ["salesforce_budget", "salesforce_unavailable"] as const;

/** What one outcome sync did: the answer of POST /admin/outcomes/run (docs/outcomes.md). */
export const OutcomeRunSchema = z.object({
  /** Rows pulled per Salesforce object (Lead, Opportunity). */
  pulled: z.record(z.string(), z.number().int()),
  /** SOQL pages read per object: one per 2,000 changed rows, one when nothing changed. */
  pages: z.record(z.string(), z.number().int()),
  /** Leads whose sales outcome was worked out again. */
  derived: z.number().int(),
  /** Leads whose HubSpot contact Leadbridge never handed off: skipped. */
  skippedUnknown: z.number().int(),
  written: z.object({
    contacts: z.number().int(),
    notes: z.number().int(),
    /** Left pending after a failed HubSpot call; a later run writes them. */
    failed: z.number().int(),
    /** Contacts HubSpot no longer has: settled, not retried. */
    gone: z.number().int(),
    /** Contacts HubSpot refused alone (a 400 for their own values): tried again later. */
    refused: z.number().int(),
  }),
  /** Outcomes HubSpot has still to be told (those waiting after a refusal not included). */
  pending: z.number().int(),
  /** Contacts HubSpot refused alone, waiting for their next try (an hour, doubling to a day). */
  refused: z.number().int(),
  /** True when the pull reached the end and nothing is left to derive or write. */
  complete: z.boolean(),
  skipped: z.enum(PULL_SKIP_REASONS).optional(),
});
export type OutcomeRun = z.infer<typeof OutcomeRunSchema>;
