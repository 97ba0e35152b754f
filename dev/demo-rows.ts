// The report settings a demo needs and a real deploy must not ship: collateral assets for the
// sandbox's lead sources and monthly quotas for the sandbox Salesforce's reps. Migration 0003 once
// inserted exactly these rows; 0013 deletes them from deployed databases. The local stack writes
// them into its own D1 when it seeds the sandboxes (dev/stack.ts); an admin sets the real ones
// (docs/report.md).
import type { z } from "zod";
import type { QuotasUpdateSchema } from "../shared/contracts/admin";
import type { Asset } from "../workers/telemetry/build-report";

type QuotasUpdate = z.infer<typeof QuotasUpdateSchema>;

/** Columns of collateral_assets, in the table's order. */
export type DemoAsset = Asset;

export const DEMO_COLLATERAL: DemoAsset[] = [
  {
    asset_id: "asset-whitepaper-platform",
    type: "whitepaper",
    title: "Platform Engineering at Scale",
    version: "2.1",
    status: "published",
    tags: '["technical","platform"]',
    target_audience: "engineering leaders",
    url: "https://leadbridge.example/assets/platform-whitepaper.pdf",
    lead_source: "organic_search",
  },
  {
    asset_id: "asset-pricing-calculator",
    type: "tool",
    title: "Pricing Calculator",
    version: "1.4",
    status: "published",
    tags: '["pricing","roi"]',
    target_audience: "economic buyers",
    url: "https://leadbridge.example/pricing/calculator",
    lead_source: "paid_search",
  },
  {
    asset_id: "asset-webinar-devex",
    type: "webinar",
    title: "Developer Experience Webinar",
    version: "1.0",
    status: "published",
    tags: '["developer","demo"]',
    target_audience: "developers",
    url: "https://leadbridge.example/webinars/devex",
    lead_source: "hubspot",
  },
  {
    asset_id: "asset-case-study-acme",
    type: "case_study",
    title: "Acme Robotics Case Study",
    version: "1.2",
    status: "published",
    tags: '["manufacturing","proof"]',
    target_audience: "operations managers",
    url: "https://leadbridge.example/customers/acme",
    lead_source: "web",
  },
  {
    asset_id: "asset-partner-battlecard",
    type: "battlecard",
    title: "Partner Battlecard",
    version: "3.0",
    status: "draft",
    tags: '["partner","competitive"]',
    target_audience: "channel partners",
    url: "https://leadbridge.example/partners/battlecard",
    lead_source: "partner_referral",
  },
];

/**
 * The standing monthly quota (month '*') of each sandbox rep, by Salesforce Username, in the shape
 * `PUT /admin/quotas` takes (docs/admin.md#quotas-reps-and-ramp).
 */
export const DEMO_QUOTAS: QuotasUpdate["reps"] = [
  { rep: "avery.chen@leadbridge.sandbox", quotas: [{ month: "*", amount: 50000 }] },
  { rep: "jordan.patel@leadbridge.sandbox", quotas: [{ month: "*", amount: 40000 }] },
  { rep: "sam.okafor@leadbridge.sandbox", quotas: [{ month: "*", amount: 60000 }] },
  { rep: "riley.novak@leadbridge.sandbox", quotas: [{ month: "*", amount: 40000 }] },
  { rep: "morgan.silva@leadbridge.sandbox", quotas: [{ month: "*", amount: 30000 }] },
];

const sql = (v: string | number) =>
  typeof v === "number" ? String(v) : `'${v.replace(/'/g, "''")}'`;

/**
 * The demo rows as SQL statements; a row already there (the same key) is left as it is, so a
 * restart or an admin's own edit of a demo row keeps what the database holds.
 */
export function demoRowsSql(): string[] {
  return [
    ...DEMO_COLLATERAL.map(
      (a) =>
        `INSERT INTO collateral_assets (asset_id, type, title, version, status, tags, target_audience, url, lead_source) VALUES (${[
          a.asset_id,
          a.type,
          a.title,
          a.version,
          a.status,
          a.tags,
          a.target_audience,
          a.url,
          a.lead_source,
        ]
          .map(sql)
          .join(", ")}) ON CONFLICT (asset_id) DO NOTHING;`,
    ),
    // Rows, not PUT /admin/quotas: the stack writes them before the Worker starts.
    ...DEMO_QUOTAS.flatMap(({ rep, quotas }) =>
      quotas.map(
        (q) =>
          `INSERT INTO quotas (owner, month, amount) VALUES (${sql(rep)}, ${sql(q.month)}, ${q.amount}) ON CONFLICT (owner, month) DO NOTHING;`,
      ),
    ),
  ];
}
