import { leadIdFor, type Mql, MqlSchema } from "../../shared/contracts/mql";
import { DEFAULT_RULES, type Rules } from "../../shared/contracts/rules";
import { clean, compileRules, wholeNumber } from "./criteria";

export type Properties = Record<string, string | null | undefined>;

/** The contact properties the handoff reads from HubSpot, and nothing more. */
export const CONTACT_PROPERTIES = [
  "email",
  "firstname",
  "lastname",
  "jobtitle",
  "company",
  "hubspotscore",
  "hs_analytics_source",
  "hs_analytics_num_page_views",
  "hs_analytics_num_visits",
  "num_conversion_events",
  "hs_analytics_first_url",
  "hs_analytics_last_url",
  "recent_conversion_event_name",
  "leadbridge_status",
  "leadbridge_rejection_reasons",
  "leadbridge_salesforce_contact_id",
  "createdate",
] as const;

/**
 * The contact properties a judgement reads: the ones whose changes HubSpot should send (README,
 * Deploying).
 */
export const SUBSCRIBED_PROPERTIES = CONTACT_PROPERTIES.filter(
  (p) => !p.startsWith("leadbridge_") && p !== "createdate",
);

export const COMPANY_PROPERTIES = ["name", "domain", "industry", "numberofemployees"] as const;

/**
 * Builds the MQL for a contact and its (primary) company under the rules' criteria and engagement
 * weights, as of `at` (criteria on dates count back from it); pure, validated on the way out.
 */
export function toMql(
  portalId: string,
  contactId: string,
  contact: Properties,
  company?: Properties,
  rules: Rules = DEFAULT_RULES,
  at: number = Date.now(),
): Mql {
  return MqlSchema.parse({
    leadId: leadIdFor(portalId, contactId),
    source: clean(contact.hs_analytics_source)?.toLowerCase().slice(0, 100) ?? "unknown",
    contactInfo: {
      email: clean(contact.email)?.toLowerCase().slice(0, 254) ?? null,
      firstName: clean(contact.firstname)?.slice(0, 100) ?? null,
      lastName: clean(contact.lastname)?.slice(0, 100) ?? null,
      jobTitle: clean(contact.jobtitle)?.slice(0, 200) ?? null,
    },
    firmographics: {
      companyName: (clean(company?.name) ?? clean(contact.company))?.slice(0, 255) ?? null,
      industry: clean(company?.industry)?.slice(0, 100) ?? null,
      employeeCount: wholeNumber(company?.numberofemployees),
    },
    engagementScore: engagementScore(contact, rules),
    qualificationCriteriaMet: criteriaMet(contact, company, rules, at),
  });
}

/**
 * hubspotscore when HubSpot has one; otherwise the rules' points per property (version 1: page
 * views 2, visits 4, conversions 15), capped at 100.
 */
export function engagementScore(contact: Properties, rules: Rules = DEFAULT_RULES): number {
  return compileRules(rules).engagement(contact);
}

/** The names of the criteria met: the built-in buying signals, then the rules' own criteria. */
export function criteriaMet(
  contact: Properties,
  company?: Properties,
  rules: Rules = DEFAULT_RULES,
  at: number = Date.now(),
): string[] {
  const subject = { contact, company };
  return compileRules(rules)
    .reported.filter((k) => k.met(subject, at))
    .map((k) => k.criterion.name);
}
