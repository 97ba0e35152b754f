import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSalesforceSandbox } from "../../sandbox/salesforce/server";
import { connect, control } from "./salesforce-client";

let sandbox: Awaited<ReturnType<typeof startSalesforceSandbox>>;

beforeAll(async () => {
  sandbox = await startSalesforceSandbox({ port: 0 });
});
afterAll(async () => {
  await sandbox.close();
});

const DAY = 86_400_000;

describe("control surface", () => {
  it("seeds a demo org: reps with start dates, accounts, and 90 days of stage history", async () => {
    const seeded = await control(sandbox.url, "POST", "/seed");
    // The integration user, five reps and one former rep (inactive).
    expect(seeded.seeded).toMatchObject({ User: 7, Account: 6, Opportunity: 15, Lead: 4 });
    const users = (await control(sandbox.url, "GET", "/records/User")).records as Record<
      string,
      unknown
    >[];
    expect(users.filter((u) => u.Start_Date__c)).toHaveLength(5);

    const opps = (await control(sandbox.url, "GET", "/records/Opportunity")).records as Record<
      string,
      unknown
    >[];
    expect(opps.filter((o) => o.IsWon)).toHaveLength(4);
    expect(opps.filter((o) => o.IsClosed && !o.IsWon)).toHaveLength(5);
    const history = (await control(sandbox.url, "GET", "/records/OpportunityHistory"))
      .records as Record<string, string>[];
    const times = history.map((h) => Date.parse(h.CreatedDate!.replace("+0000", "Z")));
    expect(Math.min(...times)).toBeGreaterThan(Date.now() - 90 * DAY);
    expect(Math.max(...times)).toBeLessThan(Date.now());
    // Lost deals stop at different stages.
    const lostAt = new Set(
      opps
        .filter((o) => o.StageName === "Closed Lost")
        .map((o) => {
          const rows = history.filter(
            (h) => h.OpportunityId === o.Id && h.StageName !== "Closed Lost",
          );
          return rows.at(-1)?.StageName;
        }),
    );
    expect(lostAt.size).toBeGreaterThan(2);
  });

  it("counts requests per method and route pattern, and resets them", async () => {
    const conn = await connect(sandbox.url);
    await control(sandbox.url, "POST", "/counts/reset");
    await conn.query("SELECT Id FROM Lead");
    await conn
      .sobject("Lead")
      .retrieve((await conn.query<{ Id: string }>("SELECT Id FROM Lead LIMIT 1")).records[0]!.Id);
    const counts = await control(sandbox.url, "GET", "/counts");
    expect(counts).toEqual({
      total: 3,
      byEndpoint: {
        "GET /services/data/vXX.X/query": 2,
        "GET /services/data/vXX.X/sobjects/:type/:id": 1,
      },
      // Salesforce's sandbox answers no call 429 (its limit is the daily budget, REQUEST_LIMIT_EXCEEDED).
      rateLimitedByEndpoint: {},
    });
  });

  it("validates fault rules and limits, and reports them back", async () => {
    const bad = await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ kind: "meteor" }]),
    });
    expect(bad.status).toBe(400);
    const set = await control(sandbox.url, "PUT", "/faults", [{ kind: "latency", ms: 5 }]);
    expect(set.rules).toEqual([expect.objectContaining({ kind: "latency", ms: 5, rate: 1 })]);
    expect((await control(sandbox.url, "DELETE", "/faults")).rules).toEqual([]);
    const limits = await control(sandbox.url, "PUT", "/limits", {
      dailyLimit: 50,
      used: 10,
      expireEvery: null,
      batchSize: 500,
    });
    expect(limits).toMatchObject({ dailyLimit: 50, used: 10, expireEvery: null, batchSize: 500 });
  });

  it("reset empties the org but keeps the integration user and the stages", async () => {
    await control(sandbox.url, "POST", "/reset");
    expect((await control(sandbox.url, "GET", "/records/Lead")).totalSize).toBe(0);
    expect((await control(sandbox.url, "GET", "/records/User")).totalSize).toBe(1);
    expect((await control(sandbox.url, "GET", "/records/OpportunityStage")).totalSize).toBe(10);
  });
});
