import { createObject } from "./object-writes";
import type { HubSpotState } from "./state";
import type { ChangeSource, CrmRecord } from "./store";

// Demo portal: B2B software buyers, about half of whom a marketer would call qualified.
const COMPANIES = [
  {
    name: "Northwind Analytics",
    domain: "northwind-analytics.com",
    industry: "COMPUTER_SOFTWARE",
    numberofemployees: "240",
    annualrevenue: "38000000",
    city: "Austin",
    country: "United States",
  },
  {
    name: "Kestrel Robotics",
    domain: "kestrelrobotics.io",
    industry: "MECHANICAL_OR_INDUSTRIAL_ENGINEERING",
    numberofemployees: "85",
    annualrevenue: "12500000",
    city: "Munich",
    country: "Germany",
  },
  {
    name: "Bluefin Payments",
    domain: "bluefinpay.com",
    industry: "FINANCIAL_SERVICES",
    numberofemployees: "1200",
    annualrevenue: "210000000",
    city: "London",
    country: "United Kingdom",
  },
  {
    name: "Cedar Health Systems",
    domain: "cedarhealth.org",
    industry: "HOSPITAL_HEALTH_CARE",
    numberofemployees: "3400",
    annualrevenue: "640000000",
    city: "Boston",
    country: "United States",
  },
  {
    name: "Orbital Logistics",
    domain: "orbitallogistics.com",
    industry: "LOGISTICS_AND_SUPPLY_CHAIN",
    numberofemployees: "560",
    annualrevenue: "97000000",
    city: "Rotterdam",
    country: "Netherlands",
  },
  {
    name: "Lumen Learning Labs",
    domain: "lumenlearninglabs.com",
    industry: "E_LEARNING",
    numberofemployees: "45",
    annualrevenue: "4200000",
    city: "Toronto",
    country: "Canada",
  },
  {
    name: "Stackforge",
    domain: "stackforge.dev",
    industry: "INFORMATION_TECHNOLOGY_AND_SERVICES",
    numberofemployees: "130",
    annualrevenue: "21000000",
    city: "Berlin",
    country: "Germany",
  },
  {
    name: "Harbor & Vine Retail",
    domain: "harborvine.com",
    industry: "RETAIL",
    numberofemployees: "900",
    annualrevenue: "150000000",
    city: "Seattle",
    country: "United States",
  },
];

const PRICING = "https://www.leadbridge.example/pricing";
const WHITEPAPER = "Downloaded: Zero-Trust APIs Technical Whitepaper";

interface DemoContact {
  first: string;
  last?: string;
  email: string;
  title?: string;
  company?: number;
  score: number;
  lastUrl?: string;
  conversion?: string;
  source: string;
  daysAgo: number;
}

const CONTACTS: DemoContact[] = [
  {
    first: "Maya",
    last: "Chen",
    email: "maya.chen@northwind-analytics.com",
    title: "Senior Software Engineer",
    company: 0,
    score: 82,
    lastUrl: PRICING,
    conversion: WHITEPAPER,
    source: "ORGANIC_SEARCH",
    daysAgo: 2,
  },
  {
    first: "Daniel",
    last: "Okafor",
    email: "d.okafor@northwind-analytics.com",
    title: "VP Engineering",
    company: 0,
    score: 71,
    lastUrl: PRICING,
    source: "PAID_SEARCH",
    daysAgo: 5,
  },
  {
    first: "Lena",
    last: "Vogel",
    email: "lena.vogel@kestrelrobotics.io",
    title: "Embedded Developer",
    company: 1,
    score: 67,
    lastUrl: PRICING,
    conversion: WHITEPAPER,
    source: "SOCIAL_MEDIA",
    daysAgo: 1,
  },
  {
    first: "Jonas",
    last: "Becker",
    email: "jonas.becker@kestrelrobotics.io",
    title: "Procurement Manager",
    company: 1,
    score: 34,
    lastUrl: "https://www.leadbridge.example/blog/robotics-apis",
    source: "EMAIL_MARKETING",
    daysAgo: 12,
  },
  {
    first: "Priya",
    last: "Raman",
    email: "priya.raman@bluefinpay.com",
    title: "Staff Platform Engineer",
    company: 2,
    score: 91,
    lastUrl: PRICING,
    conversion: WHITEPAPER,
    source: "ORGANIC_SEARCH",
    daysAgo: 0,
  },
  {
    first: "Tom",
    last: "Hargreaves",
    email: "tom.hargreaves@bluefinpay.com",
    title: "Head of DevOps",
    company: 2,
    score: 76,
    lastUrl: "https://www.leadbridge.example/docs/quickstart",
    conversion: WHITEPAPER,
    source: "REFERRALS",
    daysAgo: 3,
  },
  {
    first: "Aisha",
    last: "Bello",
    email: "aisha.bello@bluefinpay.com",
    title: "Marketing Coordinator",
    company: 2,
    score: 28,
    source: "SOCIAL_MEDIA",
    daysAgo: 20,
  },
  {
    first: "Robert",
    last: "Nguyen",
    email: "robert.nguyen@cedarhealth.org",
    title: "Integration Developer",
    company: 3,
    score: 64,
    lastUrl: PRICING,
    source: "DIRECT_TRAFFIC",
    daysAgo: 4,
  },
  {
    first: "Grace",
    last: "Whitfield",
    email: "g.whitfield@cedarhealth.org",
    title: "Chief Information Officer",
    company: 3,
    score: 58,
    lastUrl: "https://www.leadbridge.example/case-studies/healthcare",
    source: "OFFLINE",
    daysAgo: 9,
  },
  {
    first: "Sven",
    last: "de Vries",
    email: "sven.devries@orbitallogistics.com",
    title: "Backend Engineer",
    company: 4,
    score: 73,
    lastUrl: PRICING,
    conversion: WHITEPAPER,
    source: "ORGANIC_SEARCH",
    daysAgo: 6,
  },
  {
    first: "Fatima",
    last: "Haddad",
    email: "fatima.haddad@orbitallogistics.com",
    title: "Operations Analyst",
    company: 4,
    score: 41,
    lastUrl: "https://www.leadbridge.example/",
    source: "PAID_SEARCH",
    daysAgo: 15,
  },
  {
    first: "Noah",
    last: "Tremblay",
    email: "noah@lumenlearninglabs.com",
    title: "CTO",
    company: 5,
    score: 88,
    lastUrl: PRICING,
    conversion: WHITEPAPER,
    source: "REFERRALS",
    daysAgo: 1,
  },
  {
    first: "Chloe",
    last: "Martin",
    email: "chloe.martin@lumenlearninglabs.com",
    title: "Instructional Designer",
    company: 5,
    score: 22,
    source: "EMAIL_MARKETING",
    daysAgo: 30,
  },
  {
    first: "Felix",
    last: "Wagner",
    email: "felix.wagner@stackforge.dev",
    title: "Full Stack Developer",
    company: 6,
    score: 79,
    lastUrl: PRICING,
    conversion: WHITEPAPER,
    source: "SOCIAL_MEDIA",
    daysAgo: 2,
  },
  {
    first: "Mia",
    last: "Schulz",
    email: "mia.schulz@stackforge.dev",
    title: "Site Reliability Engineer",
    company: 6,
    score: 62,
    lastUrl: "https://www.leadbridge.example/docs/webhooks",
    source: "ORGANIC_SEARCH",
    daysAgo: 7,
  },
  {
    first: "Ethan",
    last: "Brooks",
    email: "ethan.brooks@harborvine.com",
    title: "E-commerce Developer",
    company: 7,
    score: 69,
    lastUrl: PRICING,
    source: "PAID_SEARCH",
    daysAgo: 3,
  },
  {
    first: "Olivia",
    last: "Park",
    email: "olivia.park@harborvine.com",
    title: "Store Manager",
    company: 7,
    score: 18,
    source: "DIRECT_TRAFFIC",
    daysAgo: 25,
  },
  {
    first: "Liam",
    last: "Murphy",
    email: "liam.murphy1987@gmail.com",
    title: "Software Engineer",
    score: 66,
    lastUrl: PRICING,
    conversion: WHITEPAPER,
    source: "ORGANIC_SEARCH",
    daysAgo: 4,
  },
  {
    first: "Sofia",
    last: "Rossi",
    email: "sofia.rossi@yahoo.com",
    title: "Student",
    score: 12,
    source: "SOCIAL_MEDIA",
    daysAgo: 11,
  },
  { first: "Kenji", email: "kenji.t@outlook.com", score: 9, source: "DIRECT_TRAFFIC", daysAgo: 18 },
  {
    first: "Hannah",
    last: "Lee",
    email: "hannah.lee@hotmail.com",
    title: "Freelance Designer",
    score: 31,
    lastUrl: "https://www.leadbridge.example/blog",
    source: "REFERRALS",
    daysAgo: 8,
  },
  {
    first: "Marco",
    last: "Silva",
    email: "marco.silva@gmail.com",
    title: "Developer Advocate",
    score: 57,
    lastUrl: PRICING,
    source: "SOCIAL_MEDIA",
    daysAgo: 6,
  },
  {
    first: "Zoe",
    last: "Adams",
    email: "zoe.adams@northwind-analytics.com",
    title: "Office Manager",
    company: 0,
    score: 15,
    source: "EMAIL_MARKETING",
    daysAgo: 22,
  },
  {
    first: "Arjun",
    last: "Mehta",
    email: "arjun.mehta@acme-consulting.co",
    title: "Solutions Architect",
    score: 74,
    lastUrl: PRICING,
    conversion: WHITEPAPER,
    source: "PAID_SEARCH",
    daysAgo: 1,
  },
  {
    first: "Ines",
    last: "Garcia",
    email: "ines.garcia@stackforge.dev",
    title: "Engineering Manager",
    company: 6,
    score: 48,
    lastUrl: "https://www.leadbridge.example/integrations/salesforce",
    source: "ORGANIC_SEARCH",
    daysAgo: 10,
  },
];

const SEED_SOURCE: ChangeSource = { changeSource: "CRM_UI", sourceId: "userId:1000001" };
const DAY = 86_400_000;

/** Loads the demo portal; records that already exist (same domain or email) are left alone. */
export function seedDemoData(state: HubSpotState) {
  const { store } = state;
  const now = Date.now();
  store.silent = true;
  try {
    const companies = COMPANIES.map((c, i) => {
      const existing = store.list("companies").find((r) => r.properties.get("domain") === c.domain);
      const created = now - (60 + i * 7) * DAY;
      const properties = {
        ...c,
        website: `https://${c.domain}`,
        createdate: new Date(created).toISOString(),
      };
      return (
        existing ??
        createObject(state, "companies", { properties, associations: [] }, SEED_SOURCE, created)
      );
    });
    const contacts = CONTACTS.map((d) => {
      const existing = store.list("contacts").find((r) => r.properties.get("email") === d.email);
      const company = d.company === undefined ? undefined : companies[d.company];
      return {
        record: existing ?? createDemoContact(state, d, company, now),
        qualifying: isQualifying(d),
      };
    });
    return {
      companies: companies.map((c) => ({ id: c.id, name: c.properties.get("name") })),
      contacts: contacts.map(({ record, qualifying }) => ({
        id: record.id,
        email: record.properties.get("email"),
        qualifying,
      })),
    };
  } finally {
    store.silent = false;
  }
}

function createDemoContact(
  state: HubSpotState,
  d: DemoContact,
  company: CrmRecord | undefined,
  now: number,
): CrmRecord {
  const visits = Math.round(d.score / 10) + 1;
  const properties: Record<string, string | undefined> = {
    email: d.email,
    firstname: d.first,
    lastname: d.last,
    jobtitle: d.title,
    company: company?.properties.get("name"),
    website: company ? `https://${company.properties.get("domain")}` : undefined,
    hubspotscore: String(d.score),
    lifecyclestage:
      d.score >= 60 ? "marketingqualifiedlead" : d.score >= 30 ? "lead" : "subscriber",
    hs_lead_status: d.score >= 60 ? "NEW" : undefined,
    hs_analytics_source: d.source,
    hs_analytics_num_visits: String(visits),
    hs_analytics_num_page_views: String(visits * 3 + (d.lastUrl === PRICING ? 2 : 0)),
    hs_analytics_num_event_completions: d.conversion ? "2" : "0",
    hs_analytics_first_url: "https://www.leadbridge.example/",
    hs_analytics_last_url: d.lastUrl,
    recent_conversion_event_name: d.conversion,
    num_conversion_events: d.conversion ? "1" : "0",
    createdate: new Date(now - d.daysAgo * DAY).toISOString(),
  };
  // Last touched an hour after creation, so time-range backfills see a realistic spread.
  const modified = now - d.daysAgo * DAY + Math.min(3_600_000, d.daysAgo * DAY);
  const associations = company
    ? [
        {
          to: { id: company.id },
          types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: 279 }],
        },
      ]
    : [];
  return createObject(state, "contacts", { properties, associations }, SEED_SOURCE, modified);
}

// Mirrors the playbook's intent (business email, developer title, pricing page or whitepaper,
// score >= 60) for demo listings only.
function isQualifying(d: DemoContact): boolean {
  const free = /@(gmail|yahoo|outlook|hotmail)\./.test(d.email);
  return (
    !free &&
    d.company !== undefined &&
    d.score >= 60 &&
    Boolean(d.lastUrl === PRICING || d.conversion)
  );
}
