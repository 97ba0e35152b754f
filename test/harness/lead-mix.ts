// A realistic day of inbound contacts: most qualify, the rest fail for the reasons marketing
// actually produces. Seeded, so a run is reproducible; the outcome is the rules', not ours.

export type Expectation = "handed_off" | "rejected";

export interface LeadSpec {
  properties: Record<string, string>;
  /** Index into the companies list, or undefined for a contact with no company. */
  company?: number;
  kind: LeadKind;
  expected: Expectation;
}

type LeadKind =
  | "qualified"
  | "free_email"
  | "low_engagement"
  | "no_signal"
  | "no_company"
  | "no_last_name"
  | "salesforce_too_long";

/** Share of each kind, in percent. */
export const LEAD_MIX: Record<LeadKind, number> = {
  qualified: 58,
  free_email: 12,
  low_engagement: 10,
  no_signal: 8,
  no_company: 6,
  no_last_name: 4,
  salesforce_too_long: 2,
};

const TITLES = [
  "Senior Software Engineer",
  "Staff Developer",
  "Solutions Architect",
  "CTO",
  "DevOps Lead",
  "SRE",
];
const OTHER_TITLES = [
  "Office Manager",
  "Marketing Coordinator",
  "Account Executive",
  "HR Generalist",
];
const INDUSTRIES = [
  "COMPUTER_SOFTWARE",
  "INFORMATION_TECHNOLOGY_AND_SERVICES",
  "FINANCIAL_SERVICES",
  "HOSPITAL_HEALTH_CARE",
];
const SOURCES = [
  "ORGANIC_SEARCH",
  "PAID_SEARCH",
  "DIRECT_TRAFFIC",
  "SOCIAL_MEDIA",
  "EMAIL_MARKETING",
];

export function companies(count: number, tag: string): Record<string, string>[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `Bench Co ${tag}-${i}`,
    domain: `bench-${tag}-${i}.example.com`,
    industry: INDUSTRIES[i % INDUSTRIES.length]!,
    numberofemployees: String(20 + ((i * 137) % 5000)),
  }));
}

/** `count` contacts in the mix above; `tag` keeps emails unique across runs on one sandbox. */
export function leadMix(count: number, tag: string, companyCount: number, seed = 42): LeadSpec[] {
  const random = mulberry32(seed);
  const kinds = Object.entries(LEAD_MIX) as [LeadKind, number][];
  return Array.from({ length: count }, (_, i) => {
    let roll = random() * 100;
    let kind: LeadKind = "qualified";
    for (const [candidate, share] of kinds) {
      roll -= share;
      if (roll < 0) {
        kind = candidate;
        break;
      }
    }
    return build(kind, `${tag}-${i}`, i % companyCount, random);
  });
}

function build(kind: LeadKind, n: string, company: number, random: () => number): LeadSpec {
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
  const properties: Record<string, string> = {
    email: `lead-${n}@bench-${company}.example.com`,
    firstname: "Robin",
    lastname: `Lead ${n}`,
    jobtitle: pick(TITLES),
    hubspotscore: String(60 + Math.floor(random() * 40)),
    hs_analytics_source: pick(SOURCES),
    hs_analytics_last_url:
      random() < 0.5 ? "https://bench.example.com/pricing" : "https://bench.example.com/docs",
  };
  let withCompany = true;
  switch (kind) {
    case "free_email":
      properties.email = `lead-${n}@gmail.com`;
      break;
    case "low_engagement":
      properties.hubspotscore = String(Math.floor(random() * 50));
      break;
    case "no_signal":
      properties.jobtitle = pick(OTHER_TITLES);
      properties.hs_analytics_last_url = "https://bench.example.com/blog";
      break;
    case "no_company":
      withCompany = false;
      break;
    case "no_last_name":
      delete properties.lastname;
      break;
    case "salesforce_too_long":
      // Salesforce caps LastName at 80 characters; HubSpot does not.
      properties.lastname = `Lead ${n} ${"x".repeat(90)}`;
      break;
    case "qualified":
      break;
  }
  const expected: Expectation = kind === "qualified" ? "handed_off" : "rejected";
  return { properties, ...(withCompany ? { company } : {}), kind, expected };
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
