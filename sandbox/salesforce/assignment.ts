import { SalesforceError } from "./errors";
import { normalizeId } from "./ids";

// Lead assignment rules as an org applies them, steered per request by `Sforce-Auto-Assign`
// (REST guide, "Assignment Rule Header"): absent or TRUE runs the active rule on Lead creates and
// updates, FALSE runs none, an AssignmentRule Id runs that rule (active or not) on creates.

/** A rule with one entry: every Lead it runs on goes to `ownerId`. */
export interface AssignmentRule {
  id: string;
  ownerId: string;
  active: boolean;
}

export const ASSIGNMENT_RULE_PREFIX = "01Q";

/** The org's Lead assignment rules; at most one is active, as in Salesforce. */
export class AssignmentRules {
  private rules = new Map<string, AssignmentRule>();

  /** Adds or replaces a rule; an active one deactivates the rule that was active. */
  set(rule: AssignmentRule): void {
    if (rule.active) for (const other of this.rules.values()) other.active = false;
    this.rules.set(rule.id, { ...rule });
  }

  get(id: string): AssignmentRule | undefined {
    return this.rules.get(id);
  }

  active(): AssignmentRule | undefined {
    return [...this.rules.values()].find((r) => r.active);
  }

  list(): AssignmentRule[] {
    return [...this.rules.values()].map((r) => ({ ...r }));
  }

  clear(): void {
    this.rules.clear();
  }
}

/** The owner the rules give a Lead this request creates or updates; unset when no rule runs. */
export interface LeadAssignment {
  onCreate?: string;
  onUpdate?: string;
}

/**
 * Reads a request's `Sforce-Auto-Assign` value (TRUE and FALSE in any case). A value that is not
 * an id is MALFORMED_ID, as the SOAP AssignmentRuleHeader documents; an id naming no rule is
 * INVALID_CROSS_REFERENCE_KEY (Salesforce does not document this one: the sandbox's choice).
 */
export function leadAssignment(header: string | undefined, rules: AssignmentRules): LeadAssignment {
  const value = header?.trim() ?? "";
  if (value === "" || value.toUpperCase() === "TRUE") {
    const ownerId = rules.active()?.ownerId;
    return { onCreate: ownerId, onUpdate: ownerId };
  }
  if (value.toUpperCase() === "FALSE") return {};
  const id = normalizeId(value);
  if (!id)
    throw new SalesforceError(
      400,
      "MALFORMED_ID",
      `Sforce-Auto-Assign: invalid id or value: ${value}`,
      [],
    );
  const rule = id.startsWith(ASSIGNMENT_RULE_PREFIX) ? rules.get(id) : undefined;
  if (!rule)
    throw new SalesforceError(
      400,
      "INVALID_CROSS_REFERENCE_KEY",
      `Sforce-Auto-Assign: invalid cross reference id: no AssignmentRule ${value}`,
      [],
    );
  // The REST guide applies a named rule to created records only.
  return { onCreate: rule.ownerId };
}
