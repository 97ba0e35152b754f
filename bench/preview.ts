// A rules preview over `contacts` stored judgements (issue 16: under 5 s for 10,000, locally): the
// snapshots are written straight into the stack's local D1 (what the handoff would have kept of
// contacts it judged today, a mix of the lead mix's kinds), then POST /admin/rules/preview with a
// proposal adding a required company criterion and raising the score, median of `repeats` runs.
// The same-run baseline is GET /admin/rules (one D1 read through the same admin stack).
// `npx tsx bench/preview.ts [--quick]` runs this step alone and prints its figures as JSON.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { startStack } from "../dev/stack";
import { DEFAULT_RULES } from "../shared/contracts/rules";
import { executeD1File } from "../test/harness/d1";
import { percentile, round } from "./lib/stats";
import { sizesFromArgs } from "./sizes";

const ADMIN = { authorization: "Bearer sandbox-admin-token", "content-type": "application/json" };

export interface PreviewFigures {
  contacts: number;
  /** Median seconds of a preview over them. */
  seconds: number;
  /** Median milliseconds of GET /admin/rules on the same stack. */
  baselineMs: number;
  judged: number;
}

const PROPOSAL = {
  ...DEFAULT_RULES,
  minEngagementScore: 70,
  criteria: [
    ...DEFAULT_RULES.criteria,
    {
      name: "software_mid_market",
      description: "a software or fintech company of 50 people or more",
      match: "all",
      conditions: [
        { property: "company.numberofemployees", op: "at_least", value: 50 },
        { property: "company.industry", op: "in", value: ["Software", "Fintech"] },
      ],
      required: true,
    },
  ],
};

/** Snapshots as the handoff writes them (every asked property present, null when empty). */
function snapshotSql(contacts: number, now: number): string {
  const titles = ["Software Engineer", "CTO", "VP Marketing", "Accountant", "DevOps lead"];
  const industries = ["Software", "Fintech", "Retail", "Manufacturing"];
  const rows: string[] = [];
  for (let i = 0; i < contacts; i++) {
    const contact = {
      email: i % 5 === 0 ? `p${i}@gmail.com` : `dev${i}@company${i % 97}.example`,
      firstname: "Dana",
      lastname: i % 11 === 0 ? null : `Dev${i}`,
      jobtitle: titles[i % titles.length],
      company: null,
      hubspotscore: String(40 + (i % 60)),
      hs_analytics_source: ["ORGANIC_SEARCH", "PAID_SEARCH", "REFERRALS"][i % 3],
      hs_analytics_num_page_views: String(i % 20),
      hs_analytics_num_visits: String(i % 7),
      num_conversion_events: String(i % 3),
      hs_analytics_first_url: null,
      hs_analytics_last_url: i % 4 === 0 ? "https://acme.example/pricing" : "https://acme.example/",
      recent_conversion_event_name: i % 6 === 0 ? "Whitepaper download" : null,
      createdate: new Date(now - 86_400_000).toISOString(),
    };
    const company = {
      hs_object_id: String(900_000 + (i % 97)),
      name: `Company ${i % 97}`,
      domain: `company${i % 97}.example`,
      industry: industries[i % industries.length],
      numberofemployees: String((i * 37) % 400),
    };
    const q = (v: unknown) => `'${JSON.stringify(v).replaceAll("'", "''")}'`;
    rows.push(`('${5_000_000 + i}', ${now - (i % 1000) * 1000}, 1, ${q(contact)}, ${q(company)})`);
  }
  const statements: string[] = [];
  for (let i = 0; i < rows.length; i += 100)
    statements.push(
      `INSERT INTO judged_snapshots (contact_id, judged_at, rules_version, contact, company) VALUES ${rows.slice(i, i + 100).join(",\n")};`,
    );
  return statements.join("\n");
}

export async function measurePreview(
  contacts: number,
  repeats: number,
  log: (line: string) => void,
): Promise<PreviewFigures> {
  const stack = await startStack({ isolatedState: true, snapshot: true });
  try {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "leadbridge-preview-")), "rows.sql");
    writeFileSync(file, snapshotSql(contacts, Date.now()));
    await executeD1File(stack.stateDir!, file);
    log(`  preview: ${contacts} judgements stored`);
    const timed = async (method: string, route: string, body?: unknown) => {
      const started = performance.now();
      const res = await fetch(`${stack.workerUrl}${route}`, {
        method,
        headers: ADMIN,
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const json = (await res.json()) as { judged?: number };
      if (!res.ok) throw new Error(`${method} ${route} → ${res.status} ${JSON.stringify(json)}`);
      return { ms: performance.now() - started, json };
    };
    await timed("GET", "/admin/rules"); // seeds version 1 and warms the isolate
    const runs: { ms: number; judged: number }[] = [];
    const baseline: number[] = [];
    for (let r = 0; r < repeats; r++) {
      baseline.push((await timed("GET", "/admin/rules")).ms);
      const { ms, json } = await timed("POST", "/admin/rules/preview", {
        rules: PROPOSAL,
        days: 30,
      });
      runs.push({ ms, judged: json.judged ?? 0 });
    }
    const ms = runs.map((r) => r.ms);
    return {
      contacts,
      seconds: round(percentile(ms, 50) / 1000, 3),
      baselineMs: round(percentile(baseline, 50), 1),
      judged: runs[0]?.judged ?? 0,
    };
  } finally {
    await stack.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const sizes = sizesFromArgs();
  console.log(
    JSON.stringify(
      await measurePreview(sizes.quick ? 1_000 : 10_000, 3, (l) => console.error(l)),
      null,
      2,
    ),
  );
}
