import { z } from "zod";

// Salesforce runs the org's active Lead assignment rule on every REST create *and update* unless
// the request says otherwise (`Sforce-Auto-Assign`, default TRUE). Leadbridge always says.

export const AUTO_ASSIGN_HEADER = "Sforce-Auto-Assign";

/** What a Lead create asks of assignment: the org's active rule, none, or one named rule. */
export const LeadAssignmentSchema = z
  .string()
  .regex(
    /^(active_rule|none|01Q[a-zA-Z0-9]{12}([a-zA-Z0-9]{3})?)$/,
    'must be "active_rule", "none" or an AssignmentRule Id (01Q…, 15 or 18 characters)',
  );
export type LeadAssignment = z.infer<typeof LeadAssignmentSchema>;

/** The header value for Leads Leadbridge creates, per the configured choice. */
export function createAssignValue(choice: LeadAssignment): string {
  if (choice === "active_rule") return "TRUE";
  if (choice === "none") return "FALSE";
  return choice;
}

/** Leads Leadbridge already has keep their owner: an update never runs a rule. */
export const UPDATE_ASSIGN_VALUE = "FALSE";
