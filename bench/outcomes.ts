// The outcome sync's cost for a day of sales changes: `changes` handed-off Leads change status in
// Salesforce (most worked, some refused with a reason), then one sync brings them to HubSpot; then
// a sync with nothing new. Counted by the sandboxes' own request counts, in a stack of its own.
// `npx tsx bench/outcomes.ts [--quick]` runs this step alone and prints its figures as JSON.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Client } from "@hubspot/api-client";
import jsforce, { type Connection } from "jsforce";
import { startStack } from "../dev/stack";
import type { OutcomeRun } from "../shared/contracts/outcome-sync";
import { type Counts, call, HUBSPOT_TOKEN, Sandboxes } from "../test/harness/control";
import { executeD1File, queryD1 } from "../test/harness/d1";
import { useRealisticLatency } from "../test/harness/inbound";
import { round } from "./lib/stats";
import { sizesFromArgs } from "./sizes";

const ADMIN = { authorization: "Bearer sandbox-admin-token" };
/** One refusal in this many changes carries a reason and owes a note; the rest are accepted. */
const REFUSED_EVERY = 4;
const REASONS = ["No budget", "Not a fit", "Timing", "Competitor"];

export interface OutcomeMeasurement {
  changes: number;
  refused: number;
  /** The sync run(s) that brought the day's changes to HubSpot. */
  day: SyncCost;
  /** A run with nothing new since the last. */
  idle: SyncCost;
  /** A per-record flow: one Lead read and one contact update per change, one note per refusal. */
  perRecord: { salesforceCalls: number; hubspotCalls: number };
}

export interface SyncCost {
  runs: number;
  seconds: number;
  salesforceQueries: number;
  salesforceCalls: number;
  hubspotBatchUpdates: number;
  hubspotCalls: number;
  written: number;
  notes: number;
}

export async function measureOutcomes(
  changes: number,
  log: (line: string) => void,
): Promise<OutcomeMeasurement> {
  const stack = await startStack({ isolatedState: true, snapshot: true });
  const sandboxes = new Sandboxes(stack.hubspotUrl, stack.salesforceUrl, stack.webhookUrl);
  try {
    await useRealisticLatency(sandboxes);
    await sandboxes.setHubSpotLimits({ enabled: true });
    log(`bench: outcome sync, ${changes} handed-off leads changed by sales in a day`);
    // The Leads come straight from the seed below, not from a handoff: no webhooks for these.
    await call(`${stack.hubspotUrl}/__sandbox/webhooks/subscription`, { method: "DELETE" });
    const hubspot = new Client({ accessToken: HUBSPOT_TOKEN, basePath: stack.hubspotUrl });
    const contactIds: string[] = [];
    for (let i = 0; i < changes; i += 100) {
      const inputs = Array.from({ length: Math.min(100, changes - i) }, (_, k) => ({
        properties: {
          email: `buyer${i + k}@outcome-bench.example`,
          lastname: `Buyer ${i + k}`,
          hs_analytics_source: "ORGANIC_SEARCH",
        },
        associations: [],
      }));
      const created = await hubspot.crm.contacts.batchApi.create({ inputs });
      contactIds.push(...created.results.map((c) => c.id));
    }
    const conn = await salesforce(stack.salesforceUrl);
    const leadIds: string[] = [];
    for (let i = 0; i < contactIds.length; i += 200) {
      const records = contactIds.slice(i, i + 200).map((id, k) => ({
        LastName: `Buyer ${i + k}`,
        Company: "Outcome Bench",
        HubSpot_Contact_Id__c: id,
      }));
      const results = await conn.sobject("Lead").create(records, { allOrNone: true });
      for (const r of results) if (r.success) leadIds.push(r.id);
    }
    const stateDir = stack.stateDir!;
    await seedHandedOff(stateDir, contactIds, leadIds);
    // The Leads as sales first sees them (open): pulled once, nothing to tell HubSpot yet.
    await syncUntilDone(stack.workerUrl);

    const refused = leadIds.filter((_, i) => i % REFUSED_EVERY === 0);
    for (let i = 0; i < leadIds.length; i += 200) {
      const records = leadIds.slice(i, i + 200).map((Id, k) =>
        (i + k) % REFUSED_EVERY === 0
          ? {
              Id,
              Status: "Closed - Not Converted",
              Disqualification_Reason__c: REASONS[(i + k) % REASONS.length],
            }
          : { Id, Status: "Working - Contacted" },
      );
      await conn.sobject("Lead").update(records, { allOrNone: true });
    }
    const day = await measuredSync(stack.workerUrl, sandboxes);
    const idle = await measuredSync(stack.workerUrl, sandboxes);
    const stages = await queryD1<{ stage: string; n: number }>(
      stateDir,
      "SELECT stage, COUNT(*) AS n FROM sales_outcomes WHERE written_version = version GROUP BY stage",
    );
    const written = Object.fromEntries(stages.map((s) => [s.stage, s.n]));
    if (written.accepted !== changes - refused.length || written.sales_rejected !== refused.length)
      throw new Error(`the sync did not tell HubSpot every change: ${JSON.stringify(written)}`);
    return {
      changes,
      refused: refused.length,
      day,
      idle,
      perRecord: { salesforceCalls: changes, hubspotCalls: changes + refused.length },
    };
  } finally {
    await stack.stop();
  }
}

async function salesforce(url: string): Promise<Connection> {
  const conn = new jsforce.Connection({
    oauth2: {
      clientId: "sandbox-sf-client-id",
      clientSecret: "sandbox-sf-client-secret",
      loginUrl: url,
    },
    loginUrl: url,
    version: "62.0",
  });
  await conn.authorize({ grant_type: "client_credentials" });
  return conn;
}

/** Lead rows as the handoff leaves them, an hour ago, written straight into local D1. */
async function seedHandedOff(stateDir: string, contactIds: string[], leadIds: string[]) {
  const at = Date.now() - 3_600_000;
  const rows = contactIds.map(
    (id, i) =>
      `('${id}', '62515', 'lead-${id}', 'handed_off', 'organic_search', 'outcome-bench.example', '[]', 1, 80, '${leadIds[i]}', ${at}, ${at}, ${at}, ${at}, ${at})`,
  );
  const dir = mkdtempSync(path.join(tmpdir(), "leadbridge-outcomes-"));
  const file = path.join(dir, "leads.sql");
  const statements: string[] = [];
  for (let i = 0; i < rows.length; i += 200)
    statements.push(
      `INSERT INTO leads (contact_id, portal_id, lead_id, status, source, email_domain, reasons, rules_version, engagement_score, salesforce_lead_id, first_event_at, last_event_at, judged_at, handed_off_at, updated_at) VALUES ${rows.slice(i, i + 200).join(", ")};`,
    );
  writeFileSync(file, statements.join("\n"));
  try {
    await executeD1File(stateDir, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function syncOnce(workerUrl: string): Promise<OutcomeRun> {
  return call<OutcomeRun>(`${workerUrl}/admin/outcomes/run`, { method: "POST", headers: ADMIN });
}

async function syncUntilDone(workerUrl: string): Promise<OutcomeRun[]> {
  const runs: OutcomeRun[] = [];
  for (;;) {
    const run = await syncOnce(workerUrl);
    runs.push(run);
    if (run.complete || runs.length >= 20) return runs;
  }
}

const sum = (counts: Counts, match: (endpoint: string) => boolean) =>
  Object.entries(counts.byEndpoint)
    .filter(([endpoint]) => match(endpoint))
    .reduce((a, [, n]) => a + n, 0);

async function measuredSync(workerUrl: string, sandboxes: Sandboxes): Promise<SyncCost> {
  await sandboxes.resetCounts();
  const started = performance.now();
  const runs = await syncUntilDone(workerUrl);
  const seconds = (performance.now() - started) / 1000;
  const [hs, sf] = await Promise.all([sandboxes.hubspotCounts(), sandboxes.salesforceCounts()]);
  return {
    runs: runs.length,
    seconds: round(seconds, 2),
    salesforceQueries: sum(sf, (e) => /query/i.test(e)),
    salesforceCalls: sum(sf, (e) => !/oauth2|token/i.test(e)),
    hubspotBatchUpdates: sum(hs, (e) => /contacts\/batch\/update/.test(e)),
    hubspotCalls: hs.total,
    written: runs.reduce((a, r) => a + r.written.contacts, 0),
    notes: runs.reduce((a, r) => a + r.written.notes, 0),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const sizes = sizesFromArgs();
  const measured = await measureOutcomes(sizes.outcomeChanges, (line) => console.error(line));
  console.log(JSON.stringify(measured, null, 2));
}
