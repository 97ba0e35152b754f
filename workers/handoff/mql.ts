import {
  leadIdFor,
  type Mql,
  MqlSchema,
  type QualificationCriterion,
} from "../../shared/contracts/mql";

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

const DEVELOPER_TITLE =
  /\b(engineer(ing)?|developer|dev|programmer|architect|cto|chief technology officer|devops|dev ops|sre|site reliability|software)\b/i;
const WHITEPAPER = /white[\s_-]?paper/i;

/** Builds the MQL for a contact and its (primary) company; pure, validated on the way out. */
export function toMql(
  portalId: string,
  contactId: string,
  contact: Properties,
  company?: Properties,
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
    engagementScore: engagementScore(contact),
    qualificationCriteriaMet: criteriaMet(contact),
  });
}

/**
 * hubspotscore when HubSpot has one; otherwise page views, visits and conversions, capped at 100.
 */
export function engagementScore(contact: Properties): number {
  const score = Number(clean(contact.hubspotscore));
  if (clean(contact.hubspotscore) !== undefined && Number.isFinite(score))
    return clamp(Math.round(score));
  const views = wholeNumber(contact.hs_analytics_num_page_views) ?? 0;
  const visits = wholeNumber(contact.hs_analytics_num_visits) ?? 0;
  const conversions = wholeNumber(contact.num_conversion_events) ?? 0;
  return clamp(2 * views + 4 * visits + 15 * conversions);
}

export function criteriaMet(contact: Properties): QualificationCriterion[] {
  const met: QualificationCriterion[] = [];
  if (WHITEPAPER.test(contact.recent_conversion_event_name ?? ""))
    met.push("downloaded_technical_whitepaper");
  if ([contact.hs_analytics_last_url, contact.hs_analytics_first_url].some(isPricingUrl))
    met.push("visited_pricing_page");
  if (DEVELOPER_TITLE.test(contact.jobtitle ?? "")) met.push("is_developer_title");
  return met;
}

function isPricingUrl(url: string | null | undefined): boolean {
  if (!url) return false;
  try {
    return new URL(url).pathname.toLowerCase().includes("/pricing");
  } catch {
    return url.toLowerCase().split(/[?#]/)[0]!.includes("/pricing");
  }
}

function clean(value: string | null | undefined): string | undefined {
  const trimmed = value?.normalize("NFC").trim();
  return trimmed ? trimmed : undefined;
}

function wholeNumber(value: string | null | undefined): number | null {
  const n = Number(clean(value));
  return clean(value) !== undefined && Number.isFinite(n) && n >= 0 ? Math.floor(n) : null;
}

const clamp = (n: number) => Math.max(0, Math.min(100, n));
