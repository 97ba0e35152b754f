import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DEMO_COLLATERAL, DEMO_QUOTAS, demoRowsSql } from "../../dev/demo-rows";

/** The statements of a migration, e.g. 0013 (the deletion of 0003's demo rows). */
function migration(number: string): string[] {
  const found = env.TEST_MIGRATIONS.find((m) => m.name.startsWith(`${number}_`));
  if (!found) throw new Error(`no migration ${number}`);
  return found.queries;
}
const migration0013 = () => migration("0013");
/** 0003's own insert of the demo collateral (the table keeps that shape; 0022 moved on). */
const legacyCollateral = () =>
  migration("0003").filter((q) => q.includes("INSERT INTO collateral_assets"));
const versionIds = async () =>
  (
    await env.DB.prepare(
      "SELECT asset_id || '@' || version AS id FROM collateral_versions ORDER BY asset_id, version",
    ).all<{ id: string }>()
  ).results.map((r) => r.id);

const assetIds = async () =>
  (
    await env.DB.prepare("SELECT asset_id FROM collateral_assets ORDER BY asset_id").all<{
      asset_id: string;
    }>()
  ).results.map((r) => r.asset_id);
const quotaRows = async () =>
  (
    await env.DB.prepare("SELECT owner, month, amount FROM quotas ORDER BY owner, month").all<{
      owner: string;
      month: string;
      amount: number;
    }>()
  ).results;

describe("migrations and demo rows", () => {
  it("leave a migrated database with no collateral and no quotas (0003's demo rows are gone)", async () => {
    // The setup applied every migration: 0003 inserted the demo rows, 0013 deleted them.
    expect(await assetIds()).toEqual([]);
    expect(await versionIds()).toEqual([]);
    expect(await quotaRows()).toEqual([]);
  });

  it("0013 deletes exactly 0003's rows and keeps an admin's own, and an admin's edit of a demo row", async () => {
    await env.DB.batch([...legacyCollateral(), ...demoRowsSql()].map((q) => env.DB.prepare(q)));
    expect(await assetIds()).toHaveLength(5);
    expect(await versionIds()).toHaveLength(DEMO_COLLATERAL.length);
    expect(await quotaRows()).toHaveLength(DEMO_QUOTAS.flatMap((r) => r.quotas).length);
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO collateral_assets (asset_id, type, title, version, status, tags, target_audience, url, lead_source) VALUES ('asset-own-guide', 'guide', 'Our Buyer Guide', '1.0', 'published', '[]', 'buyers', 'https://example.com/guide', 'web')",
      ),
      // A real rep who happens to share a demo username's month and amount is a different owner.
      env.DB.prepare(
        "INSERT INTO quotas (owner, month, amount) VALUES ('avery.chen@acme.com', '*', 50000)",
      ),
      // The admin set a month of a demo rep, and changed a demo rep's standing quota.
      env.DB.prepare(
        "INSERT INTO quotas (owner, month, amount) VALUES ('avery.chen@leadbridge.sandbox', '2026-04', 50000)",
      ),
      env.DB.prepare(
        "UPDATE quotas SET amount = 45000 WHERE owner = 'jordan.patel@leadbridge.sandbox' AND month = '*'",
      ),
      env.DB.prepare(
        "UPDATE collateral_assets SET version = '2.2' WHERE asset_id = 'asset-whitepaper-platform'",
      ),
    ]);

    await env.DB.batch(migration0013().map((q) => env.DB.prepare(q)));

    expect(await assetIds()).toEqual(["asset-own-guide", "asset-whitepaper-platform"]);
    expect(await quotaRows()).toEqual([
      { owner: "avery.chen@acme.com", month: "*", amount: 50000 },
      { owner: "avery.chen@leadbridge.sandbox", month: "2026-04", amount: 50000 },
      { owner: "jordan.patel@leadbridge.sandbox", month: "*", amount: 45000 },
    ]);
  });

  it("0022 carries an admin's collateral_assets rows over as versions, live since always", async () => {
    await env.DB.batch([
      env.DB.prepare("DELETE FROM collateral_versions"),
      env.DB.prepare("DELETE FROM collateral_assets"),
      env.DB.prepare(
        "INSERT INTO collateral_assets (asset_id, type, title, version, status, tags, target_audience, url, lead_source) VALUES ('asset-own-guide', 'guide', 'Our Buyer Guide', '2.1', 'published', '[\"proof\"]', 'buyers', 'https://example.com/guide', 'web'), ('asset-old-deck', 'deck', 'Old Deck', '3', 'archived', '[]', 'buyers', 'https://example.com/deck', 'web')",
      ),
    ]);
    // 0022's carry-over statement alone (its other statements already ran in the setup).
    const text = migration("0022").join(";\n");
    const from = text.indexOf("INSERT INTO collateral_versions");
    const end = text.indexOf("FROM collateral_assets", from) + "FROM collateral_assets".length;
    expect(from).toBeGreaterThanOrEqual(0);
    await env.DB.prepare(text.slice(from, end)).run();
    const rows = await env.DB.prepare(
      "SELECT asset_id, version, status, tags, lead_source, published_at, archived_at FROM collateral_versions ORDER BY asset_id",
    ).all();
    expect(rows.results).toEqual([
      {
        asset_id: "asset-old-deck",
        version: "3.0.0",
        status: "archived",
        tags: "[]",
        lead_source: "web",
        published_at: null,
        archived_at: 0,
      },
      {
        asset_id: "asset-own-guide",
        version: "2.1.0",
        status: "published",
        tags: '["proof"]',
        lead_source: "web",
        published_at: 0,
        archived_at: null,
      },
    ]);
  });
});
