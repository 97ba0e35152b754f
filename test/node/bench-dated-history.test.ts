import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatedFunnel } from "../../bench/lib/dated-history";
import { batchSql } from "../../bench/lib/history-sql";
import { startSalesforceSandbox } from "../../sandbox/salesforce/server";
import { connect, control } from "./salesforce-client";

// The telemetry bench's dated history: the same report day whatever lies under it, nothing
// dated on or after the report day in the history, and an org the sandbox accepts as written.

const DAY = 86_400_000;
const reportDay = new Date(Date.now() - DAY).toISOString().slice(0, 10);
const reportStart = Date.parse(`${reportDay}T00:00:00Z`);
const at = (op: { at: string | number }) => Number(op.at);

let sandbox: Awaited<ReturnType<typeof startSalesforceSandbox>>;
beforeAll(async () => {
  sandbox = await startSalesforceSandbox({ port: 0, seed: false });
});
afterAll(async () => {
  await sandbox.close();
});

describe("dated history for the telemetry bench", () => {
  it("keeps history before the report day and the day's changes on it, the same size over 1× and 10×", () => {
    const small = new DatedFunnel(reportDay);
    const large = new DatedFunnel(reportDay);
    const h1 = small.history(20, 10);
    const h10 = large.history(20, 100);
    expect(h10.judgements / h1.judgements).toBeGreaterThan(8);
    expect(h10.judgements / h1.judgements).toBeLessThan(12);
    for (const op of [...h1.ops, ...h10.ops]) expect(at(op)).toBeLessThan(reportStart);
    for (const a of h1.audit) expect(a.at).toBeLessThan(reportStart);

    const d1 = small.delta(40, 3, 5);
    const d10 = large.delta(40, 3, 5);
    expect(d1.judgements).toBe(d10.judgements);
    expect(d1.opportunityChanges).toBe(d10.opportunityChanges);
    expect(d1.leads.map((l) => [l.status, l.source, l.reasons])).toEqual(
      d10.leads.map((l) => [l.status, l.source, l.reasons]),
    );
    for (const op of d1.ops) {
      expect(at(op)).toBeGreaterThanOrEqual(reportStart);
      expect(at(op)).toBeLessThan(reportStart + DAY);
    }
    expect(d1.ops.filter((o) => o.op === "convert")).toHaveLength(3);
  });

  it("is a mix of verdicts, reasons, sources and deal outcomes that the sandbox org accepts", async () => {
    await control(sandbox.url, "POST", "/reset");
    const funnel = new DatedFunnel(reportDay);
    const history = funnel.history(60, 15);
    const res = await fetch(`${sandbox.url}/__sandbox/history`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ops: history.ops }),
    });
    expect(res.status).toBe(200);
    const { ids } = (await res.json()) as { ids: Record<string, string> };

    const statuses = new Set(history.leads.map((l) => l.status));
    const reasons = new Set(history.leads.flatMap((l) => l.reasons));
    expect(statuses).toEqual(new Set(["handed_off", "rejected"]));
    expect(reasons.size).toBeGreaterThanOrEqual(6);
    expect(new Set(history.leads.map((l) => l.source)).size).toBeGreaterThanOrEqual(5);

    const conn = await connect(sandbox.url);
    const opps = (
      await conn.query<{ StageName: string; IsClosed: boolean; IsWon: boolean }>(
        "SELECT StageName, IsClosed, IsWon FROM Opportunity",
      )
    ).records;
    expect(opps.some((o) => o.IsWon)).toBe(true);
    expect(opps.some((o) => o.IsClosed && !o.IsWon)).toBe(true);
    expect(opps.some((o) => !o.IsClosed)).toBe(true);
    const handedOff = history.leads.filter((l) => l.status === "handed_off");
    expect((await conn.query("SELECT Id FROM Lead")).totalSize).toBe(handedOff.length);
    expect(handedOff.every((l) => ids[l.salesforceRef!])).toBe(true);

    // The day's changes land on existing records: conversions of earlier leads, moves of open
    // deals.
    const delta = funnel.delta(20, 2, 3);
    const day = await fetch(`${sandbox.url}/__sandbox/history`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ops: delta.ops }),
    });
    expect(day.status).toBe(200);
    const sql = batchSql(delta, ((await day.json()) as { ids: Record<string, string> }).ids);
    expect(sql.match(/INSERT INTO leads/g)).toHaveLength(1);
    expect(sql).toContain(`'${delta.leads[0]!.contact_id}'`);
  });
});
