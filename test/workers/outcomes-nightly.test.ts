import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
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
