// Routing's cost in Salesforce calls (issue 17: "routing adds no Salesforce call per lead"): on one
// stack, a burst of `leads` qualifying contacts with no routing saved, then a routing is written
// straight into the stack's D1 (two reps round-robin, Account match on, a few Accounts whose
// websites are the burst's email domains) and a second burst of as many; Salesforce calls per lead
// of each, from the sandbox's counts. A small warm-up burst first takes the token and the
// describe out of both figures.
// `npx tsx bench/routing.ts [--quick] [--leads N]` runs this step alone and prints its figures.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { type Stack, startStack } from "../dev/stack";
import { RoutingSchema } from "../shared/contracts/routing";
import { call, Sandboxes } from "../test/harness/control";
import { executeD1File, queryD1 } from "../test/harness/d1";
import { createInboundFor } from "../test/harness/inbound";
import { companies, leadMix } from "../test/harness/lead-mix";
import { waitForLeads } from "../test/harness/progress";
import { sleepUntilQuiet } from "./handoff-burst";
import { round } from "./lib/stats";

export interface RoutingFigures {
  leads: number;
  salesforcePerLeadWithout: number;
  salesforcePerLeadWith: number;
}

export interface RoutingDetail extends RoutingFigures {
  salesforceCallsWithout: number;
  salesforceCallsWith: number;
  /** Assignments written by the routed burst, by reason. */
  byReason: Record<string, number>;
}

const COMPANIES = 50;
/** Leads per burst: the 1,000, or 200 for a quick run. */
export const ROUTING_LEADS = { full: 1_000, quick: 200 };

/** A REST call to the sandbox org as an admin would make it. */
async function rest<T>(salesforceUrl: string, route: string, body: unknown): Promise<T> {
  const token = await call<{ access_token: string; instance_url: string }>(
    `${salesforceUrl}/services/oauth2/token`,
    {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials&client_id=sandbox-sf-client-id&client_secret=sandbox-sf-client-secret",
    },
  );
  return call<T>(`${token.instance_url}/services/data/v62.0${route}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token.access_token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** `count` contacts of the lead mix that qualify, created in HubSpot; their ids once handled. */
async function burst(
  stack: Stack,
  sandboxes: Sandboxes,
  count: number,
  tag: string,
  log: (line: string) => void,
): Promise<number> {
  const before = (await sandboxes.salesforceCounts()).total;
  const companyIds = await sandboxes.createCompanies(companies(Math.min(COMPANIES, count), tag));
  const specs = leadMix(count * 3, tag, companyIds.length)
    .filter((s) => s.kind === "qualified")
    .slice(0, count);
  const leads = await createInboundFor(sandboxes, specs, companyIds);
  const { complete } = await waitForLeads(
    stack.hubspot,
    stack.stateDir!,
    leads.map((l) => l.contactId),
    { stallMs: 120_000, log },
  );
  if (!complete) log(`  routing: burst ${tag} did not settle`);
  await sleepUntilQuiet(sandboxes, 2000);
  return (await sandboxes.salesforceCounts()).total - before;
}

export async function measureRouting(
  leads: number,
  log: (line: string) => void,
): Promise<RoutingDetail> {
  const stack = await startStack({ isolatedState: true, snapshot: true });
  try {
    const sandboxes = new Sandboxes(stack.hubspotUrl, stack.salesforceUrl, stack.webhookUrl);
    await burst(stack, sandboxes, 10, `rw${Date.now().toString(36)}`, log);
    const without = await burst(stack, sandboxes, leads, `ra${Date.now().toString(36)}`, log);
    log(`  routing: ${leads} leads without a routing: ${without} Salesforce calls`);

    const user = async (name: string) =>
      (
        await rest<{ id: string }>(stack.salesforceUrl, "/sobjects/User", {
          LastName: name,
          Email: `${name}@bench.example`,
          Username: `${name}@bench.example`,
        })
      ).id;
    const [x, y, owner] = [await user("rep-x"), await user("rep-y"), await user("owner")];
    // Every fifth of the lead mix's email domains (bench-<n>.example.com) is an Account's website.
    for (let n = 0; n < COMPANIES; n += 5)
      await rest(stack.salesforceUrl, "/sobjects/Account", {
        Name: `Routed ${n}`,
        Website: `https://www.bench-${n}.example.com/`,
        OwnerId: owner,
      });
    const routing = RoutingSchema.parse({
      pools: [{ name: "inbound", members: [{ userId: x }, { userId: y }] }],
      accountMatch: true,
    });
    const file = path.join(mkdtempSync(path.join(tmpdir(), "leadbridge-routing-")), "r.sql");
    writeFileSync(
      file,
      `INSERT INTO routings (version, routing, created_at, created_by, note) VALUES (1, '${JSON.stringify(routing).replaceAll("'", "''")}', ${Date.now()}, 'bench', 'bench/routing.ts');`,
    );
    await executeD1File(stack.stateDir!, file);

    const withRouting = await burst(stack, sandboxes, leads, `rb${Date.now().toString(36)}`, log);
    log(`  routing: ${leads} leads with a routing: ${withRouting} Salesforce calls`);
    const reasons = await queryD1<{ reason: string; n: number }>(
      stack.stateDir!,
      "SELECT reason, count(*) AS n FROM assignments GROUP BY reason ORDER BY reason",
    );
    return {
      leads,
      salesforcePerLeadWithout: round(without / leads, 4),
      salesforcePerLeadWith: round(withRouting / leads, 4),
      salesforceCallsWithout: without,
      salesforceCallsWith: withRouting,
      byReason: Object.fromEntries(reasons.map((r) => [r.reason, r.n])),
    };
  } finally {
    await stack.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({
    options: { quick: { type: "boolean", default: false }, leads: { type: "string" } },
  });
  const leads = Number(values.leads ?? (values.quick ? ROUTING_LEADS.quick : ROUTING_LEADS.full));
  console.log(JSON.stringify(await measureRouting(leads, (l) => console.error(l)), null, 2));
}
