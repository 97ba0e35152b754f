import type { Mql } from "../../shared/contracts/mql";
import type { Rules } from "../../shared/contracts/rules";
import { compileRules, describeCriterion } from "./criteria";

export interface Rejection {
  code: string;
  message: string;
}

export type Judgement =
  | { qualified: true; rejections: [] }
  | { qualified: false; rejections: Rejection[] };

const FIELD_LABEL: Record<Rules["requiredFields"][number], [code: string, words: string]> = {
  email: ["missing_email", "Add an email address"],
  lastName: ["missing_last_name", "Add the contact's last name"],
  firstName: ["missing_first_name", "Add the contact's first name"],
  companyName: [
    "missing_company",
    "Associate the contact with a company (or fill in the Company name property)",
  ],
  jobTitle: ["missing_job_title", "Add the contact's job title"],
};

/** Judges an MQL against the rules in force; every refusal says what a marketer can fix. */
export function qualify(mql: Mql, rules: Rules): Judgement {
  const rejections: Rejection[] = [];
  const values: Record<Rules["requiredFields"][number], unknown> = {
    email: mql.contactInfo.email,
    lastName: mql.contactInfo.lastName,
    firstName: mql.contactInfo.firstName,
    companyName: mql.firmographics.companyName,
    jobTitle: mql.contactInfo.jobTitle,
  };
  for (const field of rules.requiredFields) {
    if (!values[field]) {
      const [code, words] = FIELD_LABEL[field];
      rejections.push({ code, message: `${words}; sales needs it to work the lead.` });
    }
  }

  const email = mql.contactInfo.email;
  const domain = email ? emailDomain(email) : undefined;
  if (email && !domain) {
    rejections.push({
      code: "invalid_email",
      message: `The email address "${email}" is not valid; correct it.`,
    });
  } else if (
    domain &&
    rules.businessEmailOnly &&
    isFreeEmailDomain(domain, rules.freeEmailDomains)
  ) {
    rejections.push({
      code: "free_email_domain",
      message: `${domain} is a personal webmail address; ask for a work email (e.g. through a form field) before handing off.`,
    });
  }

  if (mql.engagementScore < rules.minEngagementScore) {
    rejections.push({
      code: "engagement_below_threshold",
      message: `Engagement score is ${mql.engagementScore}, below the ${rules.minEngagementScore} sales accepts; nurture the contact until it is higher.`,
    });
  }

  const met = new Set(mql.qualificationCriteriaMet);
  const criteria = compileRules(rules).criteria.map((k) => k.criterion);
  for (const c of criteria.filter((c) => c.required && !met.has(c.name)))
    rejections.push({
      code: `criterion_not_met:${c.name}`,
      message: `Does not meet "${c.description}" (${describeCriterion(c)}); sales takes only leads that do.`,
    });
  const signals = criteria.filter((c) => !c.required);
  if (signals.filter((c) => met.has(c.name)).length < rules.minCriteriaMet) {
    const options = signals.map((c) => c.description).join(", ");
    rejections.push({
      code: "no_qualifying_signal",
      message: `No buying signal yet (needs ${rules.minCriteriaMet} of: ${options}).`,
    });
  }

  return rejections.length ? { qualified: false, rejections } : { qualified: true, rejections: [] };
}

export function emailDomain(email: string): string | undefined {
  const match = /^[^\s@]+@([a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,})$/i.exec(email.trim());
  return match?.[1]?.toLowerCase();
}

/**
 * A listed label (gmail) matches gmail.com, gmail.co.uk; a listed domain (gmx.net) matches itself.
 */
export function isFreeEmailDomain(domain: string, listed: string[]): boolean {
  const d = domain.toLowerCase();
  const { labels, domains } = matcherFor(listed);
  if (labels?.test(d) || domains.has(d)) return true;
  for (let i = d.indexOf("."); i !== -1; i = d.indexOf(".", i + 1))
    if (domains.has(d.slice(i + 1))) return true;
  return false;
}

// Compiled once per rules list (a batch judges hundreds of contacts against the same one).
const matchers = new WeakMap<string[], { labels?: RegExp; domains: Set<string> }>();
function matcherFor(listed: string[]) {
  let m = matchers.get(listed);
  if (!m) {
    const labels = listed.filter((e) => !e.includes(".")).map(escapeRegExp);
    m = {
      labels: labels.length
        ? new RegExp(`^(?:${labels.join("|")})\\.(com?\\.)?[a-z]{2,}$`)
        : undefined,
      domains: new Set(listed.filter((e) => e.includes("."))),
    };
    matchers.set(listed, m);
  }
  return m;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
