// The bad-input run: every hostile request gets a 4xx JSON error, and afterwards D1, KV and
// both sandboxes are exactly as before (no Worker call reached HubSpot or Salesforce).
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { HOSTILE_REQUESTS } from "./hostile-requests";
import { hubspotCounts, hubspotUrl, salesforceCounts, salesforceUrl } from "./sandboxes";

async function d1Snapshot(): Promise<Record<string, string[]>> {
  const { results: tables } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name",
  ).all<{ name: string }>();
  const snapshot: Record<string, string[]> = {};
  for (const { name } of tables) {
    const { results } = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
    snapshot[name] = results.map((row) => JSON.stringify(row)).sort();
  }
  return snapshot;
}

async function kvSnapshot(): Promise<Record<string, string | null>> {
  const entries: Record<string, string | null> = {};
  let cursor: string | undefined;
  do {
    const page = await env.KV.list(cursor ? { cursor } : {});
    for (const key of page.keys) entries[key.name] = await env.KV.get(key.name);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return entries;
}

/** Record totals, read through HubSpot search and Salesforce's control surface. */
async function recordTotals(): Promise<Record<string, number>> {
  const totals: Record<string, number> = {};
  for (const type of ["contacts", "companies"]) {
    const res = await fetch(`${hubspotUrl()}/crm/v3/objects/${type}/search`, {
      method: "POST",
      headers: {
        authorization: "Bearer sandbox-hubspot-token",
        "content-type": "application/json",
      },
      body: JSON.stringify({ limit: 1 }),
    });
    totals[`hubspot ${type}`] = ((await res.json()) as { total: number }).total;
  }
  for (const type of ["Lead", "Contact", "Account", "Opportunity"]) {
    const res = await fetch(`${salesforceUrl()}/__sandbox/records/${type}?includeDeleted=true`);
    totals[`salesforce ${type}`] = ((await res.json()) as { totalSize: number }).totalSize;
  }
  return totals;
}

const sandboxCounts = async () => ({
  hubspot: (await hubspotCounts()).byEndpoint,
  salesforce: (await salesforceCounts()).byEndpoint,
});
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until nothing left over from earlier files is still calling the sandboxes. */
async function quietCounts() {
  let last = JSON.stringify(await sandboxCounts());
  for (let i = 0; i < 20; i++) {
    await settle(1500);
    const now = JSON.stringify(await sandboxCounts());
    if (now === last) return JSON.parse(now) as Awaited<ReturnType<typeof sandboxCounts>>;
    last = now;
  }
  throw new Error("the sandboxes never went quiet");
}

const cases = Object.entries(HOSTILE_REQUESTS).flatMap(([group, list]) =>
  list.map((c) => ({ ...c, group })),
);

describe("bad-input run", () => {
  let before: {
    d1: Record<string, string[]>;
    kv: Record<string, string | null>;
    records: Record<string, number>;
    counts: Awaited<ReturnType<typeof sandboxCounts>>;
  };

  beforeAll(async () => {
    const records = await recordTotals();
    before = {
      records,
      counts: await quietCounts(),
      d1: await d1Snapshot(),
      kv: await kvSnapshot(),
    };
  }, 60_000);

  it("has at least 50 hostile requests", () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });

  it.each(cases.map((c) => [`${c.group}: ${c.name}`, c] as const))(
    "%s → 4xx JSON error",
    async (_name, hostile) => {
      const res = await exports.default.fetch(await hostile.request());
      if (hostile.status) expect(res.status).toBe(hostile.status);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      const body = (await res.json()) as {
        error?: { code?: unknown; message?: unknown; requestId?: unknown };
      };
      expect(body.error).toEqual({
        code: expect.any(String),
        message: expect.any(String),
        requestId: expect.any(String),
      });
    },
  );

  it("changed nothing in D1, KV or either sandbox", async () => {
    // Anything wrongly enqueued would reach the consumer within its 1 s batch window.
    await settle(2500);
    expect(await sandboxCounts()).toEqual(before.counts);
    expect(await d1Snapshot()).toEqual(before.d1);
    expect(await kvSnapshot()).toEqual(before.kv);
    expect(await recordTotals()).toEqual(before.records);
  }, 60_000);
});
