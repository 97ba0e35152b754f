// Ranking the requirement pool (issue 18: 10,000 requests ranked in under a second, locally): the
// Feature_Request__c mirror rows, the requirements grouping them (five requests each) with RICE
// inputs, and the deals they name (two requests a deal, open, won and lost) are written straight
// into the stack's local D1, then GET /admin/requirements, median of `repeats` runs. The same-run
// baseline is GET /admin/rules (one D1 read through the same admin stack).
// `npx tsx bench/requirements.ts [--quick]` runs this step alone and prints its figures as JSON.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { startStack } from "../dev/stack";
import { CONFIDENCES, IMPACTS } from "../shared/contracts/requirements";
import { executeD1File } from "../test/harness/d1";
import { inserts, text } from "./lib/history-sql";
import { percentile, round } from "./lib/stats";
import { sizesFromArgs } from "./sizes";

const ADMIN = { authorization: "Bearer sandbox-admin-token", "content-type": "application/json" };

/** Requests per requirement and per deal: 10,000 requests make 2,000 requirements over 5,000 deals. */
const PER_REQUIREMENT = 5;
const PER_DEAL = 2;

export interface RequirementsFigures {
  requests: number;
  /** Median seconds of GET /admin/requirements over them. */
  seconds: number;
  /** Median milliseconds of GET /admin/rules on the same stack. */
  baselineMs: number;
  requirements: number;
}

/**
 * Rows as the nightly pull and the admin API leave them. Request i is in requirement
 * ⌊i / 5⌋ and names deal ⌊i / 2⌋ of account (i mod 1,500); the requirements of one deal's two
 * requests sometimes differ, so the distinct-deal step of the ranking has work to do. Every
 * requirement is scored and in the pool (open or planned), so every request is ranked.
 */
function poolSql(requests: number, now: number): string {
  const requirementCount = Math.ceil(requests / PER_REQUIREMENT);
  const deals = Math.ceil(requests / PER_DEAL);
  const day = new Date(now).toISOString().slice(0, 10);
  const modstamp = new Date(now).toISOString();
  const opportunities: string[][] = [];
  for (let d = 0; d < deals; d++) {
    // Six in ten open, two won, two lost.
    const kind = d % 5;
    const closed = kind >= 3 ? 1 : 0;
    const won = kind === 3 ? 1 : 0;
    const stage = closed ? (won ? "Closed Won" : "Closed Lost") : "Prospecting";
    opportunities.push([
      text(`006B${String(d).padStart(11, "0")}`),
      text(`005B${String(d % 20).padStart(11, "0")}`),
      text(stage),
      String(1_000 + ((d * 37) % 50) * 1_000),
      "NULL",
      String(closed),
      String(won),
      text(day),
      closed ? text(day) : "NULL",
      text(modstamp),
    ]);
  }
  const featureRequests: string[][] = [];
  const memberships: string[][] = [];
  for (let i = 0; i < requests; i++) {
    const id = `a0FB${String(i).padStart(11, "0")}`;
    const account = i % 1_500;
    featureRequests.push([
      text(id),
      text(`FR-${i}`),
      text(`001B${String(account).padStart(11, "0")}`),
      text(`Account ${account}`),
      text(["Software", "Fintech", "Retail"][account % 3]!),
      i % 10 === 9 ? "NULL" : text(`006B${String(Math.floor(i / PER_DEAL)).padStart(11, "0")}`),
      text("Exports take too long"),
      text("Scheduled exports"),
      String((i % 9) * 5_000),
      text(["Low", "Medium", "High"][i % 3]!),
      String(now - i * 1000),
      text(modstamp),
    ]);
    memberships.push([text(id), String(Math.floor(i / PER_REQUIREMENT) + 1), String(now)]);
  }
  const requirements: string[][] = [];
  for (let r = 0; r < requirementCount; r++)
    requirements.push([
      String(r + 1),
      text(`Requirement ${r + 1}`),
      String(IMPACTS[r % IMPACTS.length]),
      String(CONFIDENCES[r % CONFIDENCES.length]),
      String(1 + (r % 13)),
      text(r % 4 === 0 ? "planned" : "open"),
      String(now),
      String(now),
    ]);
  return [
    ...inserts(
      "sf_opportunities",
      [
        "id",
        "owner_id",
        "stage_name",
        "amount",
        "lead_source",
        "is_closed",
        "is_won",
        "created_day",
        "closed_day",
        "modstamp",
      ],
      opportunities,
    ),
    ...inserts(
      "feature_requests",
      [
        "id",
        "name",
        "account_id",
        "account_name",
        "industry",
        "opportunity_id",
        "pain",
        "expected_solution",
        "business_value",
        "urgency",
        "created_at",
        "modstamp",
      ],
      featureRequests,
    ),
    ...inserts(
      "requirements",
      ["id", "title", "impact", "confidence", "effort", "status", "created_at", "updated_at"],
      requirements,
    ),
    ...inserts("requirement_requests", ["request_id", "requirement_id", "added_at"], memberships),
  ].join("\n");
}

export async function measureRequirements(
  requests: number,
  repeats: number,
  log: (line: string) => void,
): Promise<RequirementsFigures> {
  const stack = await startStack({ isolatedState: true, snapshot: true });
  try {
    const file = path.join(
      mkdtempSync(path.join(tmpdir(), "leadbridge-requirements-")),
      "rows.sql",
    );
    writeFileSync(file, poolSql(requests, Date.now()));
    await executeD1File(stack.stateDir!, file);
    const expected = Math.ceil(requests / PER_REQUIREMENT);
    log(`  requirements: ${requests} requests in ${expected} requirements stored`);
    const timed = async (route: string) => {
      const started = performance.now();
      const res = await fetch(`${stack.workerUrl}${route}`, { headers: ADMIN });
      const json = (await res.json()) as { requirements?: { requests: number }[] };
      if (!res.ok) throw new Error(`GET ${route} → ${res.status} ${JSON.stringify(json)}`);
      return { ms: performance.now() - started, json };
    };
    await timed("/admin/rules"); // seeds version 1 and warms the isolate
    const runs: number[] = [];
    const baseline: number[] = [];
    let ranked: { requests: number }[] = [];
    for (let r = 0; r < repeats; r++) {
      baseline.push((await timed("/admin/rules")).ms);
      const { ms, json } = await timed("/admin/requirements");
      runs.push(ms);
      ranked = json.requirements ?? [];
    }
    // The figure stands only if the whole pool was ranked: every requirement, every request.
    const rankedRequests = ranked.reduce((sum, r) => sum + r.requests, 0);
    if (ranked.length !== expected || rankedRequests !== requests)
      throw new Error(
        `ranked ${ranked.length} requirements holding ${rankedRequests} requests, expected ${expected} and ${requests}`,
      );
    return {
      requests,
      seconds: round(percentile(runs, 50) / 1000, 3),
      baselineMs: round(percentile(baseline, 50), 1),
      requirements: ranked.length,
    };
  } finally {
    await stack.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const sizes = sizesFromArgs();
  console.log(
    JSON.stringify(
      await measureRequirements(sizes.quick ? 1_000 : 10_000, 3, (l) => console.error(l)),
      null,
      2,
    ),
  );
}
