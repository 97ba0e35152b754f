// `npm run demo`: against a running `npm start`, creates and updates contacts in the sandbox
// HubSpot and follows them until each is handed off to the sandbox Salesforce or refused; then
// plays the sales team for a day in the sandbox Salesforce (converts leads, moves and closes
// deals), runs the nightly report for the last two weeks and today, and shows today's.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Client } from "@hubspot/api-client";
import jsforce, { type Connection } from "jsforce";
import { AdminApi } from "../cli/api";
import { routingLines } from "../cli/routing-report";
import type { OutcomeRun } from "../shared/contracts/outcome-sync";
import type { FunnelReport } from "../shared/contracts/report";
import type { Rules } from "../shared/contracts/rules";
import { adminReader, explainUnsettled, RESET_RULES_COMMAND, rulesChanges } from "./demo-explain";
import { demoHistorySql } from "./demo-history";
import { emptyFields, salesLine } from "./demo-report";
import { demoRequirementPool, poolLines } from "./demo-requirements";

/** The client's enum for association categories, typed from its API (its module is CommonJS). */
type ContactAssociation = NonNullable<
  Parameters<Client["crm"]["contacts"]["basicApi"]["create"]>[0]["associations"]
>[number];
const HUBSPOT_DEFINED =
  "HUBSPOT_DEFINED" as ContactAssociation["types"][number]["associationCategory"];

const hubspotUrl =
  process.env.HUBSPOT_URL ?? `http://127.0.0.1:${process.env.HUBSPOT_SANDBOX_PORT ?? 4010}`;
const salesforceUrl =
  process.env.SALESFORCE_URL ?? `http://127.0.0.1:${process.env.SALESFORCE_SANDBOX_PORT ?? 4020}`;
const workerUrl =
  process.env.LEADBRIDGE_URL ?? `http://127.0.0.1:${process.env.WORKER_PORT ?? 8787}`;
const adminToken = process.env.LEADBRIDGE_ADMIN_TOKEN ?? "sandbox-admin-token";
/** The Worker's local D1 folder when it is not .wrangler/state (wrangler dev --persist-to). */
const stateDir = process.env.LEADBRIDGE_STATE_DIR;
const root = path.resolve(import.meta.dirname, "..");
const { get: admin, leadState } = adminReader(workerUrl, adminToken);
const adminApi = new AdminApi(workerUrl, adminToken);
const hubspot = new Client({
  accessToken: process.env.HUBSPOT_ACCESS_TOKEN ?? "sandbox-hubspot-token",
  basePath: hubspotUrl,
});
const DAY = 86_400_000;

type Seed = {
  email: string;
  firstname: string;
  lastname: string;
  jobtitle: string;
  hubspotscore?: string;
  hs_analytics_last_url?: string;
  recent_conversion_event_name?: string;
  hs_analytics_source: string;
  company?: number;
};

const COMPANIES = [
  {
    name: "Northwind Robotics",
    domain: "northwind-robotics.com",
    industry: "COMPUTER_SOFTWARE",
    numberofemployees: "420",
  },
  {
    name: "Bluefin Analytics",
    domain: "bluefin-analytics.io",
    industry: "INFORMATION_TECHNOLOGY_AND_SERVICES",
    numberofemployees: "85",
  },
  {
    name: "Copperleaf Health",
    domain: "copperleaf.health",
    industry: "HOSPITAL_HEALTH_CARE",
    numberofemployees: "1900",
  },
];

const stamp = Date.now().toString(36);
const CONTACTS: Seed[] = [
  {
    email: `maya.chen+${stamp}@northwind-robotics.com`,
    firstname: "Maya",
    lastname: "Chen",
    jobtitle: "Staff Software Engineer",
    hubspotscore: "82",
    hs_analytics_last_url: "https://leadbridge.example/pricing",
    hs_analytics_source: "ORGANIC_SEARCH",
    company: 0,
  },
  {
    email: `luis.ortega+${stamp}@bluefin-analytics.io`,
    firstname: "Luis",
    lastname: "Ortega",
    jobtitle: "Head of Platform",
    hubspotscore: "74",
    recent_conversion_event_name: "Downloaded: Event-driven architecture whitepaper",
    hs_analytics_source: "PAID_SEARCH",
    company: 1,
  },
  {
    email: `priya.nair+${stamp}@copperleaf.health`,
    firstname: "Priya",
    lastname: "Nair",
    jobtitle: "CTO",
    hubspotscore: "91",
    hs_analytics_source: "REFERRALS",
    company: 2,
  },
  {
    email: `sam.taylor+${stamp}@gmail.com`,
    firstname: "Sam",
    lastname: "Taylor",
    jobtitle: "Student",
    hubspotscore: "22",
    hs_analytics_source: "SOCIAL_MEDIA",
  },
  {
    email: `jo.fischer+${stamp}@bluefin-analytics.io`,
    firstname: "Jo",
    lastname: "Fischer",
    jobtitle: "Marketing Manager",
    hubspotscore: "35",
    hs_analytics_source: "EMAIL_MARKETING",
    company: 1,
  },
  {
    email: `alex.kim+${stamp}@yahoo.com`,
    firstname: "Alex",
    lastname: "Kim",
    jobtitle: "DevOps Engineer",
    hubspotscore: "66",
    hs_analytics_source: "ORGANIC_SEARCH",
  },
  // A paid-social campaign that went wrong today: mostly students on personal email.
  {
    email: `kai.berg+${stamp}@northwind-robotics.com`,
    firstname: "Kai",
    lastname: "Berg",
    jobtitle: "Solutions Architect",
    hubspotscore: "77",
    hs_analytics_last_url: "https://leadbridge.example/pricing",
    hs_analytics_source: "PAID_SOCIAL",
    company: 0,
  },
  {
    email: `noor.haddad+${stamp}@gmail.com`,
    firstname: "Noor",
    lastname: "Haddad",
    jobtitle: "Student",
    hubspotscore: "18",
    hs_analytics_source: "PAID_SOCIAL",
  },
  {
    email: `eli.morgan+${stamp}@hotmail.com`,
    firstname: "Eli",
    lastname: "Morgan",
    jobtitle: "Intern",
    hubspotscore: "25",
    hs_analytics_source: "PAID_SOCIAL",
  },
  {
    email: `ana.silva+${stamp}@outlook.com`,
    firstname: "Ana",
    lastname: "Silva",
    jobtitle: "Freelancer",
    hubspotscore: "30",
    hs_analytics_source: "PAID_SOCIAL",
  },
];

function bar(done: number, total: number, width = 30): string {
  const filled = Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`;
}

async function main() {
  console.log(
    `demo: sandbox HubSpot ${hubspotUrl}, sandbox Salesforce ${salesforceUrl}, Worker ${workerUrl}`,
  );
  const today = new Date().toISOString().slice(0, 10);
  await warnAboutRules();
  await saveDemoRouting();
  seedLeadHistory(today);
  const companyIds: string[] = [];
  for (const company of COMPANIES) {
    const created = await hubspot.crm.companies.basicApi.create({
      properties: company,
      associations: [],
    });
    companyIds.push(created.id);
  }
  const contactIds: string[] = [];
  for (const { company, ...properties } of CONTACTS) {
    const associations =
      company === undefined
        ? []
        : [
            {
              to: { id: companyIds[company]! },
              types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 279 }],
            },
          ];
    const created = await hubspot.crm.contacts.basicApi.create({
      properties: properties as Record<string, string>,
      associations,
    });
    contactIds.push(created.id);
  }
  console.log(
    `demo: created ${companyIds.length} companies and ${contactIds.length} contacts; waiting for the Worker`,
  );

  const judged = await follow(contactIds, 60_000, "judged");
  // A refused contact fixed by marketing: give Alex a work email and a company, and watch it flow.
  const alex = contactIds[5]!;
  console.log("demo: fixing a refused contact (work email + company association)");
  await hubspot.crm.contacts.basicApi.update(alex, {
    properties: { email: `alex.kim+${stamp}@northwind-robotics.com` },
  });
  await hubspot.crm.associations.v4.basicApi.createDefault(
    "contacts",
    alex,
    "companies",
    companyIds[0]!,
  );
  await follow([alex], 60_000, "handed off", Date.now());
  await showHandoffIsAFact(contactIds[0]!);

  const final = await hubspot.crm.contacts.batchApi.read({
    inputs: contactIds.map((id) => ({ id })),
    properties: [
      "email",
      "leadbridge_status",
      "leadbridge_rejection_reasons",
      "leadbridge_salesforce_lead_id",
    ],
    propertiesWithHistory: [],
  });
  console.log("");
  for (const c of final.results) {
    const p = c.properties;
    const detail =
      p.leadbridge_status === "handed_off"
        ? `Salesforce Lead ${p.leadbridge_salesforce_lead_id}`
        : p.leadbridge_rejection_reasons;
    console.log(
      `  contact ${c.id.padEnd(6)} ${String(p.leadbridge_status ?? "pending").padEnd(11)} ${detail ?? ""}`,
    );
  }
  const leads = (await (await fetch(`${salesforceUrl}/__sandbox/records/Lead`)).json()) as
    | unknown[]
    | { records: unknown[] };
  const count = Array.isArray(leads) ? leads.length : leads.records.length;
  console.log(
    `\ndemo: ${judged} contacts judged; the sandbox Salesforce now holds ${count} Leads.`,
  );

  const handedOff = final.results
    .filter((c) => c.properties.leadbridge_status === "handed_off")
    .map((c) => c.id);
  await playSalesDay(handedOff);
  await showSalesOutcomes(handedOff);
  const report = await runReports(today);
  printReport(report);
  const empty = emptyFields(report);
  if (empty.length) throw new Error(`today's report has nothing in ${empty.join(", ")}`);
  // The nightly has pulled the org's feature requests: group them and rank the pool.
  const pool = await demoRequirementPool(adminApi);
  for (const line of poolLines(pool)) console.log(line);
  console.log(
    `demo: today's report (${today}) has every field; see it at ${workerUrl}/admin/ or \`npm run admin -- report --date ${today}\`.`,
  );
}

/**
 * A small routing, saved before the contacts arrive so their Leads get owners: one pool of two
 * sandbox reps, a 30-minute SLA, alerts to the sandbox's alert sink. It stays in force afterwards
 * (the demo restores nothing); a routing already in force is an admin's, and is kept.
 */
async function saveDemoRouting() {
  const inForce = await admin<{ version: number | null }>("/admin/routing");
  if (inForce.version !== null) {
    console.log(`demo: routing v${inForce.version} in force, kept`);
    return;
  }
  const conn = await salesforce();
  const users = await conn.query<{ Id: string; Name: string; Title: string | null }>(
    "SELECT Id, Name, Title FROM User WHERE IsActive = true",
  );
  // The sales reps: the integration user the connected app runs as has no title.
  const reps = users.records
    .filter((u) => u.Title)
    .sort((a, b) => a.Name.localeCompare(b.Name))
    .slice(0, 2);
  if (reps.length < 2) {
    // A sandbox started without its demo data has no reps to route to: the handoff goes on as
    // without routing (SALESFORCE_LEAD_ASSIGNMENT).
    console.log(
      "demo: no routing saved: the sandbox Salesforce has fewer than two active reps (start it seeded, as npm start does)",
    );
    return;
  }
  const routing = {
    pools: [
      {
        name: "demo",
        method: "round_robin",
        members: reps.map((r) => ({ userId: r.Id, weight: 1, dailyCap: null })),
        sla: { minutes: 30 },
      },
    ],
    alertUrl: `${salesforceUrl}/__sink/alerts`,
  };
  const saved = await adminApi.call<{ version: number }>("PUT", "/admin/routing", {
    routing,
    note: "npm run demo: one pool of two reps, SLA 30 min",
  });
  console.log(
    `demo: saved routing v${saved.version} (pool "demo": ${reps.map((r) => r.Name).join(" and ")}, SLA 30 min, alerts to the sandbox's alert sink); it stays in force after the demo (nothing is restored)`,
  );
}

/** Two weeks of judged contacts in the Worker's local D1, written once (see demo-history.ts). */
function seedLeadHistory(today: string) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "leadbridge-demo-")), "history.sql");
  writeFileSync(file, demoHistorySql(today));
  const args = [
    "wrangler",
    "d1",
    "execute",
    "DB",
    "--local",
    "--file",
    file,
    ...(stateDir ? ["--persist-to", stateDir] : []),
  ];
  const run = spawnSync("npx", args, {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  if (run.status !== 0)
    throw new Error(
      `could not write the lead history into local D1:\n${run.stdout}\n${run.stderr}`,
    );
  console.log(
    "demo: two weeks of lead history in local D1 (written once), so today has trailing rates to compare with",
  );
}

/**
 * A day of the sales team: two of today's leads converted, deals moved, one won, one lost, one jump
 * past the process.
 */
async function playSalesDay(handedOff: string[]) {
  const conn = await salesforce();
  const ids = handedOff.map((id) => `'${id.replace(/'/g, "")}'`).join(", ");
  const leads = ids
    ? (
        await conn.query<{ Id: string }>(
          `SELECT Id FROM Lead WHERE HubSpot_Contact_Id__c IN (${ids}) AND IsConverted = false`,
        )
      ).records
    : [];
  const converting = leads.slice(0, 2);
  // Sales' verdict on two more of today's leads: one worked, one refused with a reason.
  const [accepting, refusing] = leads.slice(2);
  if (accepting)
    await conn.sobject("Lead").update({ Id: accepting.Id, Status: "Working - Contacted" });
  if (refusing)
    await conn.sobject("Lead").update({
      Id: refusing.Id,
      Status: "Closed - Not Converted",
      Disqualification_Reason__c: "No budget",
    });
  const at = Date.now();
  if (converting.length) {
    // Lead conversion has no REST endpoint (a rep does it in the UI); the sandbox's dated-history
    // control plays it.
    const res = await fetch(`${salesforceUrl}/__sandbox/history`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        ops: converting.map((l, i) => ({
          op: "convert",
          lead: l.Id,
          at: at + i,
          as: `demo-opp-${i}`,
        })),
      }),
    });
    if (!res.ok) throw new Error(`converting leads failed: ${res.status} ${await res.text()}`);
  }
  const converted = (
    await conn.query<{ ConvertedOpportunityId: string }>(
      `SELECT ConvertedOpportunityId FROM Lead WHERE IsConverted = true AND ConvertedDate = TODAY`,
    )
  ).records;
  const open = (
    await conn.query<{ Id: string; StageName: string }>(
      "SELECT Id, StageName FROM Opportunity WHERE IsClosed = false ORDER BY CreatedDate",
    )
  ).records;
  const convertedIds = new Set(converting.map((l) => l.Id));
  const todays = (
    await conn.query<{ ConvertedOpportunityId: string | null }>(
      `SELECT Id, ConvertedOpportunityId FROM Lead WHERE IsConverted = true AND ConvertedDate = TODAY AND HubSpot_Contact_Id__c IN (${ids || "''"})`,
    )
  ).records;
  const fresh = new Set(converted.map((l) => l.ConvertedOpportunityId));
  const older = open.filter((o) => !fresh.has(o.Id));
  const closeDate = new Date().toISOString().slice(0, 10);
  const moves: { Id: string; StageName: string; CloseDate?: string }[] = [];
  // Today's first conversion is won the same day, step by step through the sales process; the
  // second moves on to qualification.
  const [firstWon, second] = todays.map((l) => l.ConvertedOpportunityId).filter(Boolean);
  if (firstWon && convertedIds.size) {
    for (const StageName of ["Qualification", "Value Proposition", "Proposal/Price Quote"])
      moves.push({ Id: firstWon, StageName });
    moves.push({ Id: firstWon, StageName: "Closed Won", CloseDate: closeDate });
  }
  if (second) moves.push({ Id: second, StageName: "Qualification" });
  const [won, lost, ...rest] = older.filter((o) => o.StageName !== "Prospecting");
  if (won) moves.push({ Id: won.Id, StageName: "Closed Won", CloseDate: closeDate });
  if (lost) moves.push({ Id: lost.Id, StageName: "Closed Lost", CloseDate: closeDate });
  // Straight from first contact to negotiation: not a step of the sales process (a data-quality
  // finding).
  const jumper = older.find((o) => o.StageName === "Prospecting") ?? rest[0];
  if (jumper) moves.push({ Id: jumper.Id, StageName: "Negotiation/Review" });
  for (const move of moves) await conn.sobject("Opportunity").update(move);
  console.log(
    `demo: sales day in Salesforce: ${accepting ? 1 : 0} lead accepted, ${refusing ? 1 : 0} refused (No budget), ${converting.length} converted, ${moves.length} deal moves (won ${(firstWon ? 1 : 0) + (won ? 1 : 0)}, lost ${lost ? 1 : 0})`,
  );
}

/**
 * The outcome sync (every 5 minutes; run now here) brings sales' verdicts back to HubSpot: shows
 * each of today's handed-off contacts as HubSpot now has it, and the note sales' refusal left.
 */
async function showSalesOutcomes(handedOff: string[]) {
  const res = await fetch(`${workerUrl}/admin/outcomes/run`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}` },
  });
  if (!res.ok) throw new Error(`the outcome sync failed: ${res.status} ${await res.text()}`);
  const run = (await res.json()) as OutcomeRun;
  console.log(
    `demo: outcome sync: ${run.pulled.Lead ?? 0} Leads and ${run.pulled.Opportunity ?? 0} opportunities pulled, ${run.written.contacts} HubSpot contacts told, ${run.written.notes} note(s) written`,
  );
  const contacts = await hubspot.crm.contacts.batchApi.read({
    inputs: handedOff.map((id) => ({ id })),
    properties: ["leadbridge_sales_stage", "lifecyclestage", "leadbridge_sales_feedback"],
    propertiesWithHistory: [],
  });
  for (const c of contacts.results) {
    const p = c.properties;
    const feedback = p.leadbridge_sales_feedback
      ? `  sales said: ${p.leadbridge_sales_feedback}`
      : "";
    console.log(
      `  contact ${c.id.padEnd(6)} sales ${String(p.leadbridge_sales_stage || "not yet touched").padEnd(16)} lifecycle ${p.lifecyclestage ?? ""}${feedback}`,
    );
  }
  const refused = contacts.results.find(
    (c) => c.properties.leadbridge_sales_stage === "sales_rejected",
  );
  if (refused) {
    const notes = await hubspot.crm.associations.v4.basicApi.getPage(
      "contacts",
      refused.id,
      "notes",
    );
    const bodies = await hubspot.crm.objects.notes.batchApi.read({
      inputs: notes.results.map((n) => ({ id: String(n.toObjectId) })),
      properties: ["hs_note_body"],
      propertiesWithHistory: [],
    });
    const note = bodies.results
      .map((n) => n.properties.hs_note_body ?? "")
      .find((b) => b.includes("Sales did not take this lead"));
    if (!note) throw new Error(`contact ${refused.id} has no note of sales' refusal`);
    console.log(
      `  timeline of ${refused.id}: ${note
        .replace(/<[^>]*>/g, " ")
        .replace(/\s+/g, " ")
        .trim()}`,
    );
  }
  const stages = contacts.results.map((c) => c.properties.leadbridge_sales_stage);
  for (const expected of ["accepted", "sales_rejected", "ClosedWon"])
    if (!stages.includes(expected))
      throw new Error(`no handed-off contact shows leadbridge_sales_stage=${expected} in HubSpot`);
}

async function salesforce(): Promise<Connection> {
  const oauth2 = {
    clientId: process.env.SALESFORCE_CLIENT_ID ?? "sandbox-sf-client-id",
    clientSecret: process.env.SALESFORCE_CLIENT_SECRET ?? "sandbox-sf-client-secret",
    loginUrl: salesforceUrl,
  };
  const conn = new jsforce.Connection({ oauth2, loginUrl: salesforceUrl, version: "62.0" });
  await conn.authorize({ grant_type: "client_credentials" });
  return conn;
}

/** The nightly job for the last two weeks (it has not run on a fresh machine) and for today. */
async function runReports(today: string): Promise<FunnelReport> {
  const days = Array.from({ length: 15 }, (_, i) =>
    new Date(Date.parse(`${today}T00:00:00Z`) - (14 - i) * DAY).toISOString().slice(0, 10),
  );
  let report: FunnelReport | undefined;
  for (const [i, day] of days.entries()) {
    const res = await fetch(`${workerUrl}/admin/telemetry/run?date=${day}`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}` },
    });
    if (!res.ok) throw new Error(`telemetry for ${day} failed: ${res.status} ${await res.text()}`);
    report = ((await res.json()) as { report: FunnelReport }).report;
    process.stdout.write(`\r  nightly report ${bar(i + 1, days.length)}`);
  }
  process.stdout.write("\n");
  return report!;
}

function printReport(r: FunnelReport) {
  const pct = (x: number | null) => (x === null ? "n/a" : `${Math.round(x * 100)}%`);
  const f = r.funnel;
  console.log(`\ntoday (${r.date}):`);
  console.log(
    `  funnel        ${f.webhookEvents} webhook events, ${f.contactsJudged} judged, ${f.qualified} qualified, ${f.rejected} refused, ${f.handedOff} handed off, ${f.convertedToOpportunity} converted, ${f.won} won, ${f.lost} lost`,
  );
  console.log(
    `  acceptance    ${pct(r.acceptanceRate)}${(r.acceptanceByRulesVersion ?? []).map((v) => `, rules v${v.version} ${pct(v.acceptanceRate)} of ${v.judged}`).join("")}; refusals: ${r.rejectionReasons.map((x) => `${x.code} ${x.count}`).join(", ")}`,
  );
  console.log(
    `  speed-to-lead p50 ${r.speedToLead.p50Ms} ms, p95 ${r.speedToLead.p95Ms} ms over ${r.speedToLead.count} handoffs`,
  );
  console.log(
    `  win rate      ${r.winRateByStage.map((s) => `${s.stage} ${pct(s.winRate)}`).join(", ")}`,
  );
  console.log(
    `  content       ${
      r.contentUsage
        .filter((a) => a.leads > 0 || a.opportunities > 0)
        .map(
          (a) => `${a.assetId} ${a.version}: ${a.leads} leads, ${a.wins} won (${pct(a.winRate)})`,
        )
        .join(", ") || "no lead credited to collateral yet"
    }`,
  );
  console.log(
    `  quota         ${r.quotaAttainment.map((q) => `${q.ownerName} ${pct(q.attainment)}`).join(", ")}`,
  );
  console.log(
    `  ramp          ${r.timeToRamp.map((t) => `${t.ownerName} ${t.daysToRamp ?? "-"} d`).join(", ")}`,
  );
  console.log(salesLine(r));
  if (r.routing) for (const line of routingLines(r.routing)) console.log(line);
  for (const a of r.alerts) console.log(`  alert         ${a.message}`);
  console.log(
    `  data quality  ${r.dataQuality.illegalStageJumps} stage changes outside the sales process`,
  );
}

/**
 * Waits until every contact is judged (or, `expected` "handed off", handed off) as HubSpot shows
 * it. When one is not, says why from the admin API: at the deadline, or at once when rules other
 * than the defaults are in force and Leadbridge refused it after `since` (a refusal under the
 * defaults may be a judgement of half a fix, so that one is waited out).
 */
async function follow(
  ids: string[],
  timeoutMs: number,
  expected: "judged" | "handed off",
  since?: number,
) {
  const settled = (status: string) =>
    status === "handed_off" || (expected === "judged" && status === "rejected");
  const deadline = Date.now() + timeoutMs;
  const rules = await admin<{ version: number; rules: Rules }>("/admin/rules");
  const strict = since !== undefined && rulesChanges(rules.rules).length > 0;
  let pending = ids;
  while (Date.now() < deadline) {
    const page = await hubspot.crm.contacts.batchApi.read({
      inputs: ids.map((id) => ({ id })),
      properties: ["leadbridge_status"],
      propertiesWithHistory: [],
    });
    const done = new Set(
      page.results.filter((r) => settled(r.properties.leadbridge_status ?? "")).map((r) => r.id),
    );
    pending = ids.filter((id) => !done.has(id));
    process.stdout.write(`\r  ${bar(done.size, ids.length)}`);
    if (!pending.length) break;
    if (strict) {
      const leads = await Promise.all(pending.map((id) => leadState(id)));
      if (leads.some((l) => l.status === "rejected" && (l.judgedAt ?? 0) >= since!)) break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  process.stdout.write("\n");
  if (pending.length) {
    const leads = await Promise.all(pending.map((id) => leadState(id)));
    throw new Error(
      `${pending.length} of ${ids.length} contacts not ${expected} as the demo expects:\n  ${explainUnsettled(leads, rules, expected)}`,
    );
  }
  return ids.length;
}

/**
 * Marketing downgrades a handed-off contact: Leadbridge judges it again, and it stays handed off.
 */
async function showHandoffIsAFact(contactId: string) {
  const before = await leadState(contactId);
  if (before.status !== "handed_off") {
    const rules = await admin<{ version: number; rules: Rules }>("/admin/rules");
    throw new Error(
      `contact ${contactId} should have been handed off:\n  ${explainUnsettled([before], rules, "handed off")}`,
    );
  }
  const changedAt = Date.now();
  await hubspot.crm.contacts.basicApi.update(contactId, { properties: { hubspotscore: "10" } });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const lead = await admin<{
      lead: { status: string; judgedAt: string | null; noLongerQualifies: LapsedView | null };
    }>(`/admin/leads/${contactId}`);
    const judgedAt = lead.lead.judgedAt ? Date.parse(lead.lead.judgedAt) : 0;
    if (judgedAt >= changedAt && lead.lead.noLongerQualifies) {
      const { reasons, rulesVersion } = lead.lead.noLongerQualifies;
      console.log(
        `demo: contact ${contactId} lost its engagement score after its handoff; it stays ${lead.lead.status} (a handoff is a fact), recorded as no longer qualifying (${reasons.join(", ")}) under rules v${rulesVersion}`,
      );
      return;
    }
    if (Date.now() > deadline)
      throw new Error(
        `contact ${contactId} was not judged again within 60s of its change (it is ${lead.lead.status}); is npm start running?`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}

type LapsedView = { reasons: string[]; rulesVersion: number | null };

/** Says so up front when the rules in force are not the defaults the demo is written for. */
async function warnAboutRules() {
  const inForce = await admin<{ version: number; rules: Rules }>("/admin/rules");
  const changes = rulesChanges(inForce.rules);
  if (changes.length)
    console.log(
      `demo: note: qualification rules v${inForce.version} are in force, not the defaults (${changes.join("; ")}); contacts the demo expects to be handed off may be refused. \`${RESET_RULES_COMMAND}\` restores the defaults.`,
    );
}

main().catch((err) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
