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
import { executeD1File } from "../test/harness/d1";
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

const q = (v: string | null) => (v === null ? "NULL" : `'${v.replaceAll("'", "''")}'`);

function insertsOf(table: string, columns: string, rows: string[]): string[] {
  const statements: string[] = [];
  for (let i = 0; i < rows.length; i += 100)
    statements.push(
      `INSERT INTO ${table} (${columns}) VALUES ${rows.slice(i, i + 100).join(",\n")};`,
    );
  return statements;
}

/**
 * Rows as the nightly pull and the admin API leave them. Request i is in requirement
 * ⌊i / 5⌋ and names deal ⌊i / 2⌋ of account (i mod 1,500); the requirements of one deal's two
 * requests sometimes differ, so the distinct-deal step of the ranking has work to do. Every
 * requirement is scored and in the pool (open or planned), so every request is ranked.
 */
function poolSql(requests: number, now: number): string {
  const impacts = [0.25, 0.5, 1, 2, 3];
  const confidences = [0.5, 0.8, 1];
  const requirementCount = Math.ceil(requests / PER_REQUIREMENT);
  const deals = Math.ceil(requests / PER_DEAL);
  const day = new Date(now).toISOString().slice(0, 10);
  const modstamp = new Date(now).toISOString();
  const opportunities: string[] = [];
  for (let d = 0; d < deals; d++) {
    // Six in ten open, two won, two lost.
    const kind = d % 5;
    const closed = kind >= 3 ? 1 : 0;
    const won = kind === 3 ? 1 : 0;
    const stage = closed ? (won ? "Closed Won" : "Closed Lost") : "Prospecting";
    opportunities.push(
      `(${q(`006B${String(d).padStart(11, "0")}`)}, ${q(`005B${String(d % 20).padStart(11, "0")}`)}, ${q(stage)}, ${1_000 + ((d * 37) % 50) * 1_000}, NULL, ${closed}, ${won}, ${q(day)}, ${closed ? q(day) : "NULL"}, ${q(modstamp)})`,
    );
  }
  const featureRequests: string[] = [];
  const memberships: string[] = [];
  for (let i = 0; i < requests; i++) {
    const id = `a0FB${String(i).padStart(11, "0")}`;
    const account = i % 1_500;
    featureRequests.push(
      `(${q(id)}, ${q(`FR-${i}`)}, ${q(`001B${String(account).padStart(11, "0")}`)}, ${q(`Account ${account}`)}, ${q(["Software", "Fintech", "Retail"][account % 3]!)}, ${i % 10 === 9 ? "NULL" : q(`006B${String(Math.floor(i / PER_DEAL)).padStart(11, "0")}`)}, 'Exports take too long', 'Scheduled exports', ${(i % 9) * 5_000}, ${q(["Low", "Medium", "High"][i % 3]!)}, ${now - i * 1000}, ${q(modstamp)})`,
    );
    memberships.push(`(${q(id)}, ${Math.floor(i / PER_REQUIREMENT) + 1}, ${now})`);
  }
  const requirements: string[] = [];
  for (let r = 0; r < requirementCount; r++)
    requirements.push(
      `(${r + 1}, ${q(`Requirement ${r + 1}`)}, ${impacts[r % impacts.length]}, ${confidences[r % confidences.length]}, ${1 + (r % 13)}, ${q(r % 4 === 0 ? "planned" : "open")}, ${now}, ${now})`,
    );
  return [
    ...insertsOf(
      "sf_opportunities",
      "id, owner_id, stage_name, amount, lead_source, is_closed, is_won, created_day, closed_day, modstamp",
      opportunities,
    ),
    ...insertsOf(
      "feature_requests",
      "id, name, account_id, account_name, industry, opportunity_id, pain, expected_solution, business_value, urgency, created_at, modstamp",
      featureRequests,
    ),
    ...insertsOf(
      "requirements",
      "id, title, impact, confidence, effort, status, created_at, updated_at",
      requirements,
    ),
    ...insertsOf("requirement_requests", "request_id, requirement_id, added_at", memberships),
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
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    return {
      requests,
      seconds: round(percentile(sorted(runs), 50) / 1000, 3),
      baselineMs: round(percentile(sorted(baseline), 50), 1),
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
