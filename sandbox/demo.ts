// `npm run demo`: against a running `npm start`, creates and updates contacts in the sandbox
// HubSpot and follows them until each is handed off to the sandbox Salesforce or refused.
import { Client } from "@hubspot/api-client";

const hubspotUrl = process.env.HUBSPOT_URL ?? `http://127.0.0.1:${process.env.HUBSPOT_SANDBOX_PORT ?? 4010}`;
const salesforceUrl = process.env.SALESFORCE_URL ?? `http://127.0.0.1:${process.env.SALESFORCE_SANDBOX_PORT ?? 4020}`;
const hubspot = new Client({ accessToken: process.env.HUBSPOT_ACCESS_TOKEN ?? "sandbox-hubspot-token", basePath: hubspotUrl });

type Seed = { email: string; firstname: string; lastname: string; jobtitle: string; hubspotscore?: string; hs_analytics_last_url?: string; recent_conversion_event_name?: string; hs_analytics_source: string; company?: number };

const COMPANIES = [
  { name: "Northwind Robotics", domain: "northwind-robotics.com", industry: "COMPUTER_SOFTWARE", numberofemployees: "420" },
  { name: "Bluefin Analytics", domain: "bluefin-analytics.io", industry: "INFORMATION_TECHNOLOGY_AND_SERVICES", numberofemployees: "85" },
  { name: "Copperleaf Health", domain: "copperleaf.health", industry: "HOSPITAL_HEALTH_CARE", numberofemployees: "1900" },
];

const stamp = Date.now().toString(36);
const CONTACTS: Seed[] = [
  { email: `maya.chen+${stamp}@northwind-robotics.com`, firstname: "Maya", lastname: "Chen", jobtitle: "Staff Software Engineer", hubspotscore: "82", hs_analytics_last_url: "https://leadbridge.example/pricing", hs_analytics_source: "ORGANIC_SEARCH", company: 0 },
  { email: `luis.ortega+${stamp}@bluefin-analytics.io`, firstname: "Luis", lastname: "Ortega", jobtitle: "Head of Platform", hubspotscore: "74", recent_conversion_event_name: "Downloaded: Event-driven architecture whitepaper", hs_analytics_source: "PAID_SEARCH", company: 1 },
  { email: `priya.nair+${stamp}@copperleaf.health`, firstname: "Priya", lastname: "Nair", jobtitle: "CTO", hubspotscore: "91", hs_analytics_source: "REFERRALS", company: 2 },
  { email: `sam.taylor+${stamp}@gmail.com`, firstname: "Sam", lastname: "Taylor", jobtitle: "Student", hubspotscore: "22", hs_analytics_source: "SOCIAL_MEDIA" },
  { email: `jo.fischer+${stamp}@bluefin-analytics.io`, firstname: "Jo", lastname: "Fischer", jobtitle: "Marketing Manager", hubspotscore: "35", hs_analytics_source: "EMAIL_MARKETING", company: 1 },
  { email: `alex.kim+${stamp}@yahoo.com`, firstname: "Alex", lastname: "Kim", jobtitle: "DevOps Engineer", hubspotscore: "66", hs_analytics_source: "ORGANIC_SEARCH" },
];

function bar(done: number, total: number, width = 30): string {
  const filled = Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`;
}

async function main() {
  console.log(`demo: sandbox HubSpot ${hubspotUrl}, sandbox Salesforce ${salesforceUrl}`);
  const companyIds: string[] = [];
  for (const company of COMPANIES) {
    const created = await hubspot.crm.companies.basicApi.create({ properties: company, associations: [] });
    companyIds.push(created.id);
  }
  const contactIds: string[] = [];
  for (const { company, ...properties } of CONTACTS) {
    const associations =
      company === undefined
        ? []
        : [{ to: { id: companyIds[company]! }, types: [{ associationCategory: "HUBSPOT_DEFINED" as any, associationTypeId: 279 }] }];
    const created = await hubspot.crm.contacts.basicApi.create({ properties: properties as Record<string, string>, associations });
    contactIds.push(created.id);
  }
  console.log(`demo: created ${companyIds.length} companies and ${contactIds.length} contacts; waiting for the Worker`);

  const judged = await follow(contactIds, 60_000);
  // A refused contact fixed by marketing: give Alex a work email and a company, and watch it flow.
  const alex = contactIds[5]!;
  console.log("demo: fixing a refused contact (work email + company association)");
  await hubspot.crm.contacts.basicApi.update(alex, { properties: { email: `alex.kim+${stamp}@northwind-robotics.com` } });
  await hubspot.crm.associations.v4.basicApi.createDefault("contacts", alex, "companies", companyIds[0]!);
  await follow([alex], 60_000, (status) => status === "handed_off");

  const final = await hubspot.crm.contacts.batchApi.read({
    inputs: contactIds.map((id) => ({ id })),
    properties: ["email", "leadbridge_status", "leadbridge_rejection_reasons", "leadbridge_salesforce_lead_id"],
    propertiesWithHistory: [],
  });
  console.log("");
  for (const c of final.results) {
    const p = c.properties;
    const detail = p.leadbridge_status === "handed_off" ? `Salesforce Lead ${p.leadbridge_salesforce_lead_id}` : p.leadbridge_rejection_reasons;
    console.log(`  contact ${c.id.padEnd(6)} ${String(p.leadbridge_status ?? "pending").padEnd(11)} ${detail ?? ""}`);
  }
  const leads = (await (await fetch(`${salesforceUrl}/__sandbox/records/Lead`)).json()) as unknown[] | { records: unknown[] };
  const count = Array.isArray(leads) ? leads.length : leads.records.length;
  console.log(`\ndemo: ${judged} contacts judged; the sandbox Salesforce now holds ${count} Leads.`);
}

async function follow(ids: string[], timeoutMs: number, settled = (status: string) => status === "handed_off" || status === "rejected") {
  const deadline = Date.now() + timeoutMs;
  let done = 0;
  while (Date.now() < deadline) {
    const page = await hubspot.crm.contacts.batchApi.read({ inputs: ids.map((id) => ({ id })), properties: ["leadbridge_status"], propertiesWithHistory: [] });
    done = page.results.filter((r) => settled(r.properties.leadbridge_status ?? "")).length;
    process.stdout.write(`\r  ${bar(done, ids.length)}`);
    if (done === ids.length) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  process.stdout.write("\n");
  if (done < ids.length) throw new Error(`only ${done} of ${ids.length} contacts settled in ${timeoutMs / 1000}s; is npm start running?`);
  return done;
}

main().catch((err) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
