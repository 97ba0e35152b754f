import { DEFAULT_STAGES } from "./schema";
import { type SfRecord, type Store, sfDate } from "./store";

// Demo data: a small sales team, their accounts, and a quarter of deals whose stage history
// spreads over the last 90 days, some won, some lost at various stages, some still open.

const DAY = 86_400_000;
const OPEN_STAGES = DEFAULT_STAGES.filter((s) => !s.closed).map((s) => s.name);

/** The sales team (the demo quotas in dev/demo-rows.ts are set for them). */
export const REPS = [
  { FirstName: "Avery", LastName: "Chen", Title: "Senior Account Executive", startedDaysAgo: 540 },
  { FirstName: "Jordan", LastName: "Patel", Title: "Account Executive", startedDaysAgo: 365 },
  { FirstName: "Sam", LastName: "Okafor", Title: "Account Executive", startedDaysAgo: 200 },
  { FirstName: "Riley", LastName: "Novak", Title: "Account Executive", startedDaysAgo: 120 },
  {
    FirstName: "Morgan",
    LastName: "Silva",
    Title: "Associate Account Executive",
    startedDaysAgo: 45,
  },
];

/**
 * A rep who left: still a User (their records keep them as owner), no longer active, so routing
 * must not give them leads. No start date: the ramp report counts the current team only.
 */
export const FORMER_REP = {
  FirstName: "Casey",
  LastName: "Brooks",
  Title: "Account Executive",
};

/** Websites as sales types them: bare, with www., with a scheme, with a trailing slash. */
const ACCOUNTS = [
  {
    Name: "Acme Robotics",
    Industry: "Manufacturing",
    NumberOfEmployees: 1200,
    Website: "acme-robotics.example",
  },
  {
    Name: "Globex Analytics",
    Industry: "Technology",
    NumberOfEmployees: 340,
    Website: "www.globex-analytics.example",
  },
  {
    Name: "Initech Cloud",
    Industry: "Technology",
    NumberOfEmployees: 85,
    Website: "https://initech.example",
  },
  {
    Name: "Umbrella Health",
    Industry: "Healthcare",
    NumberOfEmployees: 5600,
    Website: "http://www.umbrella-health.example/",
  },
  {
    Name: "Stark Fabrication",
    Industry: "Manufacturing",
    NumberOfEmployees: 410,
    Website: "stark-fabrication.example",
  },
  {
    Name: "Wayne Logistics",
    Industry: "Retail",
    NumberOfEmployees: 2300,
    Website: "wayne-logistics.example",
  },
];

type Outcome = "won" | "lost" | "open";
/** `reach`: index of the furthest open stage the deal got to before its outcome. */
const DEALS: {
  account: number;
  owner: number;
  daysAgo: number;
  amount: number;
  reach: number;
  outcome: Outcome;
}[] = [
  { account: 0, owner: 0, daysAgo: 88, amount: 48_000, reach: 7, outcome: "won" },
  { account: 1, owner: 1, daysAgo: 85, amount: 22_000, reach: 3, outcome: "lost" },
  { account: 2, owner: 2, daysAgo: 80, amount: 91_000, reach: 7, outcome: "won" },
  { account: 3, owner: 0, daysAgo: 76, amount: 15_000, reach: 1, outcome: "lost" },
  { account: 4, owner: 3, daysAgo: 70, amount: 64_000, reach: 6, outcome: "lost" },
  { account: 5, owner: 1, daysAgo: 66, amount: 37_000, reach: 5, outcome: "won" },
  { account: 0, owner: 4, daysAgo: 60, amount: 12_000, reach: 2, outcome: "open" },
  { account: 1, owner: 2, daysAgo: 55, amount: 120_000, reach: 7, outcome: "open" },
  { account: 2, owner: 3, daysAgo: 48, amount: 26_000, reach: 4, outcome: "lost" },
  { account: 3, owner: 0, daysAgo: 42, amount: 54_000, reach: 6, outcome: "won" },
  { account: 4, owner: 4, daysAgo: 35, amount: 8_000, reach: 0, outcome: "open" },
  { account: 5, owner: 1, daysAgo: 28, amount: 73_000, reach: 4, outcome: "open" },
  { account: 0, owner: 2, daysAgo: 21, amount: 19_000, reach: 2, outcome: "lost" },
  { account: 1, owner: 3, daysAgo: 14, amount: 41_000, reach: 3, outcome: "open" },
  { account: 2, owner: 4, daysAgo: 7, amount: 30_000, reach: 1, outcome: "open" },
];

/**
 * Customers' requests as sales logged them (Feature_Request__c), each on an account and mostly on
 * one of DEALS (by index): several ask for the same thing in their own words, on open, lost and
 * won deals, so grouping them into requirements and ranking those by RICE has something to do.
 */
export const FEATURE_REQUESTS: {
  name: string;
  account: number;
  deal: number | null;
  pain: string;
  solution: string;
  value: number;
  urgency: string;
}[] = [
  {
    name: "SSO with Okta",
    account: 0,
    deal: 6,
    pain: "Our IT won't approve another password.",
    solution: "SAML SSO",
    value: 12_000,
    urgency: "High",
  },
  {
    name: "Single sign-on",
    account: 1,
    deal: 1,
    pain: "We lost a quarter waiting for SSO.",
    solution: "Okta / Azure AD login",
    value: 22_000,
    urgency: "Critical",
  },
  {
    name: "SAML login",
    account: 3,
    deal: 3,
    pain: "Compliance requires central login.",
    solution: "SAML 2.0",
    value: 15_000,
    urgency: "High",
  },
  {
    name: "Login via Azure AD",
    account: 0,
    deal: 12,
    pain: "Same as before: no SSO, no deal.",
    solution: "Azure AD",
    value: 19_000,
    urgency: "High",
  },
  {
    name: "SSO for contractors",
    account: 2,
    deal: 14,
    pain: "Contractors share one account today.",
    solution: "SSO with groups",
    value: 30_000,
    urgency: "Medium",
  },
  {
    name: "Audit log export",
    account: 4,
    deal: 4,
    pain: "Auditors want every change exported.",
    solution: "CSV/S3 export of the audit log",
    value: 64_000,
    urgency: "Critical",
  },
  {
    name: "Export audit trail",
    account: 5,
    deal: 11,
    pain: "We need the trail in our SIEM.",
    solution: "Streaming export",
    value: 73_000,
    urgency: "High",
  },
  {
    name: "Audit log to Splunk",
    account: 2,
    deal: null,
    pain: "Security asks where the logs go.",
    solution: "Splunk connector",
    value: 10_000,
    urgency: "Low",
  },
  {
    name: "CPQ integration",
    account: 1,
    deal: 7,
    pain: "Quotes are retyped by hand.",
    solution: "Salesforce CPQ sync",
    value: 120_000,
    urgency: "Medium",
  },
  {
    name: "Offline mode",
    account: 2,
    deal: 8,
    pain: "Field teams lose signal on site.",
    solution: "Offline mobile app",
    value: 26_000,
    urgency: "Low",
  },
  {
    name: "EU data residency",
    account: 5,
    deal: 5,
    pain: "Data must stay in the EU.",
    solution: "EU region",
    value: 37_000,
    urgency: "Medium",
  },
];

const LEADS: SfRecord[] = [
  {
    FirstName: "Dana",
    LastName: "Whitfield",
    Company: "Northwind Traders",
    Title: "Staff Software Engineer",
    Email: "dana.whitfield@northwind.example",
    Industry: "Retail",
    NumberOfEmployees: 450,
    Status: "Working - Contacted",
    Engagement_Score__c: 78,
    HubSpot_Contact_Id__c: "9001",
  },
  {
    FirstName: "Luis",
    LastName: "Ortega",
    Company: "Contoso Pharma",
    Title: "Head of Platform",
    Email: "luis.ortega@contoso.example",
    Industry: "Healthcare",
    NumberOfEmployees: 2100,
    Status: "Open - Not Contacted",
    Engagement_Score__c: 64,
    HubSpot_Contact_Id__c: "9002",
  },
  {
    FirstName: "Priya",
    LastName: "Raman",
    Company: "Fabrikam Energy",
    Title: "DevOps Lead",
    Email: "priya.raman@fabrikam.example",
    Industry: "Manufacturing",
    NumberOfEmployees: 800,
    Status: "Open - Not Contacted",
    Engagement_Score__c: 55,
    HubSpot_Contact_Id__c: null,
  },
  {
    FirstName: "Tom",
    LastName: "O'Brien",
    Company: "Tailspin Toys",
    Title: "CTO",
    Email: "tom.obrien@tailspin.example",
    Industry: "Retail",
    NumberOfEmployees: 60,
    Status: "Closed - Not Converted",
    Disqualification_Reason__c: "Not a fit",
    Engagement_Score__c: 31,
    HubSpot_Contact_Id__c: "9004",
  },
];

const userFields = (rep: { FirstName: string; LastName: string }) => ({
  Username: `${rep.FirstName.toLowerCase()}.${rep.LastName.toLowerCase()}@leadbridge.sandbox`,
  Email: `${rep.FirstName.toLowerCase()}.${rep.LastName.toLowerCase()}@leadbridge.example`,
  Alias: `${rep.FirstName.slice(0, 1)}${rep.LastName.slice(0, 4)}`.toLowerCase(),
});

export function seedDemoData(store: Store, now = Date.now()): Record<string, number> {
  // The senior rep leads the team: the others' ManagerId.
  const reps: string[] = [];
  REPS.forEach(({ startedDaysAgo, ...rep }, i) => {
    reps.push(
      store.insert(
        "User",
        {
          ...rep,
          ...userFields(rep),
          IsActive: true,
          ManagerId: reps[0] ?? null,
          Start_Date__c: sfDate(now - startedDaysAgo * DAY),
        },
        { at: now - (startedDaysAgo + 3 + i) * DAY },
      ).Id as string,
    );
  });
  store.insert(
    "User",
    {
      ...FORMER_REP,
      ...userFields(FORMER_REP),
      IsActive: false,
      ManagerId: reps[0]!,
      Start_Date__c: null,
    },
    { at: now - 700 * DAY },
  );
  const accounts = ACCOUNTS.map(
    (a, i) =>
      store.insert(
        "Account",
        { ...a, Type: "Prospect", OwnerId: reps[i % reps.length]! },
        { at: now - (120 - i) * DAY },
      ).Id as string,
  );

  const deals: string[] = [];
  DEALS.forEach((deal, i) => {
    const createdAt = now - deal.daysAgo * DAY + (9 + (i % 8)) * 3_600_000;
    const by = reps[deal.owner]!;
    const id = store.insert(
      "Opportunity",
      {
        Name: `${ACCOUNTS[deal.account]!.Name} - Platform ${2024 + (i % 2)}`,
        AccountId: accounts[deal.account]!,
        OwnerId: by,
        StageName: OPEN_STAGES[0]!,
        Amount: deal.amount,
        CloseDate: sfDate(createdAt + 60 * DAY),
        LeadSource: i % 3 === 0 ? "HubSpot" : i % 3 === 1 ? "Web" : "Partner Referral",
        Type: "New Customer",
      },
      { at: createdAt, by },
    ).Id as string;
    deals.push(id);

    const steps: string[] = OPEN_STAGES.slice(1, deal.reach + 1);
    if (deal.outcome !== "open") steps.push(deal.outcome === "won" ? "Closed Won" : "Closed Lost");
    // Open deals keep the last fifth of their life in the current stage.
    const span = (deal.daysAgo - 1) * DAY * (deal.outcome === "open" ? 0.8 : 1);
    steps.forEach((stage, k) => {
      const at = createdAt + ((k + 1) / steps.length) * span;
      const closing = stage.startsWith("Closed");
      store.patch(
        "Opportunity",
        id,
        closing ? { StageName: stage, CloseDate: sfDate(at) } : { StageName: stage },
        { at, by },
      );
      if (k === 1 && i % 4 === 0) {
        store.patch(
          "Opportunity",
          id,
          { Amount: Math.round(deal.amount * 1.15) },
          { at: at + 3_600_000, by },
        );
      }
    });
  });

  LEADS.forEach((lead, i) => {
    store.insert(
      "Lead",
      { ...lead, LeadSource: "HubSpot", OwnerId: reps[i % reps.length]!, IsConverted: false },
      { at: now - (10 - i) * DAY },
    );
  });

  FEATURE_REQUESTS.forEach((r, i) => {
    const deal = r.deal === null ? null : DEALS[r.deal]!;
    store.insert(
      "Feature_Request__c",
      {
        Name: r.name,
        Account__c: accounts[r.account]!,
        Opportunity__c: r.deal === null ? null : deals[r.deal]!,
        Pain__c: r.pain,
        Expected_Solution__c: r.solution,
        Business_Value__c: r.value,
        Urgency__c: r.urgency,
        OwnerId: reps[deal?.owner ?? 0]!,
      },
      { at: now - (30 - i) * DAY },
    );
  });

  return Object.fromEntries(
    ["User", "Account", "Opportunity", "OpportunityHistory", "Lead", "Feature_Request__c"].map(
      (t) => [t, store.list(t).length],
    ),
  );
}
