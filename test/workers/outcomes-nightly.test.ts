import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readPending } from "../../workers/telemetry/pending";
import { markPending } from "../../workers/telemetry/pull";
import { admin } from "./admin-client";
import { convertLead, handOff, runSync } from "./outcomes-harness";

// One pull, one mirror: the 5-minute outcome sync moves the Lead and Opportunity cursors the
// nightly also reads from, so what its pages change must still reach the nightly aggregates.

const DAY = 86_400_000;
const today = new Date().toISOString().slice(0, 10);
const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);

async function metric(day: string, name: string): Promise<number> {
  const row = await env.DB.prepare(
    "SELECT COALESCE(SUM(value), 0) AS n FROM telemetry_daily WHERE day = ? AND metric = ?",
  )
    .bind(day, name)
    .first<{ n: number }>();
  return row!.n;
}

async function pending(kinds: string[]) {
  const { results } = await env.DB.prepare(
    `SELECT kind, key FROM sf_pending WHERE kind IN (${kinds.map(() => "?").join(", ")}) ORDER BY kind, key`,
  )
    .bind(...kinds)
    .all<{ kind: string; key: string }>();
  return results;
}

const runNightly = async (date: string) => {
  const res = await admin("POST", `/admin/telemetry/run?date=${date}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
};

describe("the nightly after the 5-minute sync", () => {
  it("still counts a conversion and a new deal the outcome sync pulled first", async () => {
    // Settle everything so far; the report day is yesterday, so today is rebuilt only if a pull
    // marked it.
    await runSync();
    await runNightly(yesterday);
    expect(await pending(["day", "opportunity"])).toEqual([]);
    const converted = await metric(today, "sf.converted");
    const created = await metric(today, "sf.opps_created");

    const [c] = await handOff(1);
    const conversion = await convertLead(c!.leadId);
    const sync = await runSync();
    expect(sync.pulled.Lead).toBeGreaterThanOrEqual(1);
    expect(sync.pulled.Opportunity).toBeGreaterThanOrEqual(1);
    // The sync's pages left the nightly its work, in the same transactions as their rows.
    expect(await pending(["day", "opportunity"])).toEqual(
      expect.arrayContaining([
        { kind: "day", key: today },
        { kind: "opportunity", key: conversion.opportunityId },
      ]),
    );

    // The nightly's own pull finds the conversion already mirrored (at most a re-read of the
    // cursor's second, which changes nothing): only sf_pending tells it today is to be rebuilt.
    await runNightly(yesterday);
    expect(await metric(today, "sf.converted")).toBe(converted + 1);
    expect(await metric(today, "sf.opps_created")).toBe(created + 1);
    // Folded in, then let go.
    expect(await pending(["day", "opportunity"])).toEqual([]);
  });
});

describe("sf_pending", () => {
  it("lets go only of the marks read: one a pull marked again meanwhile stays for the next reader", async () => {
    const at = Date.now();
    await env.DB.batch(
      markPending(
        env.DB,
        [
          ["day", "2020-01-01"],
          ["day", "2020-01-02"],
        ],
        at,
      ),
    );
    const read = await readPending(env.DB, "day");
    expect(read.keys).toEqual(expect.arrayContaining(["2020-01-01", "2020-01-02"]));
    // A 5-minute pull marks 2020-01-02 again after the nightly read it, before it let go.
    await env.DB.batch(markPending(env.DB, [["day", "2020-01-02"]], at + 5));
    await env.DB.batch(read.release());
    const left = await readPending(env.DB, "day");
    expect(left.keys).toEqual(["2020-01-02"]);
    await env.DB.batch(left.release());
    expect((await readPending(env.DB, "day")).keys).toEqual([]);
  });
});
