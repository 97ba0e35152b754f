// The report settings a demo needs and a real deploy must not ship: collateral versions for the
// sandbox's conversions and lead sources and monthly quotas for the sandbox Salesforce's reps.
// Migration 0003 once inserted rows like these; 0013 deletes them from deployed databases. The local stack writes
// them into its own D1 when it seeds the sandboxes (dev/stack.ts); an admin sets the real ones
// (docs/report.md).
import type { z } from "zod";
import type { QuotasUpdateSchema } from "../shared/contracts/admin";
import { type AssetVersion, toCollateralRow } from "../shared/db/collateral-row";

type QuotasUpdate = z.infer<typeof QuotasUpdateSchema>;

const demoAsset = (
  v: Omit<AssetVersion, "createdAt" | "createdBy" | "publishedAt" | "archivedAt">,
): AssetVersion => ({
  ...v,
  createdAt: 0,
  createdBy: "demo",
  // Published ones were live from the start, so every demo lead can be credited to them.
  publishedAt: v.status === "draft" ? null : 0,
  archivedAt: v.status === "archived" ? 0 : null,
});

/**
 * Versions of collateral_versions (migrations/0022_collateral.sql). The whitepaper is credited
 * with the sandbox's and the demo's contacts that downloaded one (their conversion event), the
 * calculator with those who first landed on pricing, the rest by lead source.
 */
export const DEMO_COLLATERAL: AssetVersion[] = [
  demoAsset({
    assetId: "asset-whitepaper-platform",
    version: "2.0.0",
    type: "whitepaper",
    title: "Zero-Trust APIs Technical Whitepaper",
    status: "archived",
    tags: ["technical", "platform"],
    targetAudience: "engineering leaders",
    url: "https://leadbridge.example/assets/zero-trust-apis-2.0.pdf",
    attribution: {
      conversionEvents: ["Downloaded: Zero-Trust APIs Technical Whitepaper"],
      urlPatterns: [],
      leadSource: "organic_search",
    },
  }),
  demoAsset({
    assetId: "asset-whitepaper-platform",
    version: "2.1.0",
    type: "whitepaper",
    title: "Zero-Trust APIs Technical Whitepaper",
    status: "published",
    tags: ["technical", "platform"],
    targetAudience: "engineering leaders",
    url: "https://leadbridge.example/assets/zero-trust-apis-2.1.pdf",
    attribution: {
      conversionEvents: [
        "Downloaded: Zero-Trust APIs Technical Whitepaper",
        "Downloaded: Event-driven architecture whitepaper",
      ],
      urlPatterns: [],
      leadSource: "organic_search",
    },
  }),
  demoAsset({
    assetId: "asset-pricing-calculator",
    version: "1.4.0",
    type: "tool",
    title: "Pricing Calculator",
    status: "published",
    tags: ["pricing", "roi"],
    targetAudience: "economic buyers",
    url: "https://leadbridge.example/pricing/calculator",
    attribution: {
      conversionEvents: [],
      urlPatterns: ["*://leadbridge.example/pricing*"],
      leadSource: "paid_search",
    },
  }),
  demoAsset({
    assetId: "asset-webinar-devex",
    version: "1.0.0",
    type: "webinar",
    title: "Developer Experience Webinar",
    status: "published",
    tags: ["developer", "demo"],
    targetAudience: "developers",
    url: "https://leadbridge.example/webinars/devex",
    attribution: { conversionEvents: [], urlPatterns: [], leadSource: "hubspot" },
  }),
  demoAsset({
    assetId: "asset-case-study-acme",
    version: "1.2.0",
    type: "case_study",
    title: "Acme Robotics Case Study",
    status: "published",
    tags: ["manufacturing", "proof"],
    targetAudience: "operations managers",
    url: "https://leadbridge.example/customers/acme",
    attribution: { conversionEvents: [], urlPatterns: [], leadSource: "web" },
  }),
  demoAsset({
    assetId: "asset-partner-battlecard",
    version: "3.0.0",
    type: "battlecard",
    title: "Partner Battlecard",
    status: "draft",
    tags: ["partner", "competitive"],
    targetAudience: "channel partners",
    url: "https://leadbridge.example/partners/battlecard",
    attribution: { conversionEvents: [], urlPatterns: [], leadSource: "partner_referral" },
  }),
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
    ...DEMO_COLLATERAL.map((a) => {
      const row = toCollateralRow(a);
      const columns = Object.keys(row) as (keyof typeof row)[];
      return `INSERT INTO collateral_versions (${columns.join(", ")}) VALUES (${columns
        .map((c) => (row[c] === null ? "NULL" : sql(row[c]!)))
        .join(", ")}) ON CONFLICT (asset_id, version) DO NOTHING;`;
    }),
    // Rows, not PUT /admin/quotas: the stack writes them before the Worker starts.
    ...DEMO_QUOTAS.flatMap(({ rep, quotas }) =>
      quotas.map(
        (q) =>
          `INSERT INTO quotas (owner, month, amount) VALUES (${sql(rep)}, ${sql(q.month)}, ${q.amount}) ON CONFLICT (owner, month) DO NOTHING;`,
      ),
    ),
  ];
}
