import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { FunnelReport } from "../../shared/contracts/report";
import { judgeAgain } from "../../workers/admin/enqueue";
import { admin } from "./admin-client";
import { deliver, leadEvent, leadRow } from "./queue-harness";
import {
  createCompany,
  createContact,
  qualifyingContact,
  setHubSpotFaults,
  setSalesforceFaults,
} from "./sandboxes";

let run = 0;
const unique = () => `st${Date.now().toString(36)}${++run}`;
const DAY = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);

beforeEach(async () => {
  await Promise.all([setHubSpotFaults([]), setSalesforceFaults([])]);
  await env.KV.delete("salesforce:usage");
});

async function report(): Promise<FunnelReport> {
  const ran = await admin("POST", `/admin/telemetry/run?date=${today()}`);
  expect(ran.status).toBe(200);
  return (await admin<FunnelReport>("GET", `/admin/reports/funnel?date=${today()}`)).body;
}

async function contact(): Promise<string> {
  return createContact(qualifyingContact(unique()), await createCompany({ name: "Acme Robotics" }));
}

async function clockAudit(id: string) {
  const lead = await admin("GET", `/admin/leads/${id}`);
  return lead.body.audit.find((a: { step: string }) => a.step === "clock_untrusted");
}

describe("speed-to-lead from true clocks", () => {
  it("falls back to the arrival time for an event from 1970 or from the far future, and says so", async () => {
    const [past, future, honest] = [await contact(), await contact(), await contact()];
    const receivedAt = Date.now() - 2000;
    await deliver([
      leadEvent(past, "contact.creation", { occurredAt: 1000, receivedAt }),
      leadEvent(future, "contact.creation", { occurredAt: receivedAt + 3650 * DAY, receivedAt }),
      leadEvent(honest, "contact.creation", { occurredAt: receivedAt - 1000, receivedAt }),
    ]);
    for (const id of [past, future, honest])
      expect(await leadRow(id)).toMatchObject({ status: "handed_off", handoff_origin: "webhook" });
    expect((await leadRow(past))!.first_event_at).toBe(receivedAt);
    expect((await leadRow(future))!.first_event_at).toBe(receivedAt);
    expect((await leadRow(honest))!.first_event_at).toBe(receivedAt - 1000);
    expect((await clockAudit(past)).detail.events).toEqual([
      expect.objectContaining({ occurredAt: 1000, receivedAt }),
    ]);
    expect(await clockAudit(future)).toBeDefined();
    expect(await clockAudit(honest)).toBeUndefined();

    const { speedToLead } = await report();
    expect(speedToLead.count).toBeGreaterThanOrEqual(3);
    // Each of the three took a few seconds at most from a time that can be true.
    expect(speedToLead.maxMs).toBeLessThan(60_000);
    expect(speedToLead.p50Ms).toBeGreaterThan(0);
  });

  it("keeps an event a little late or a little ahead (inside the window) as HubSpot dated it", async () => {
    const [late, ahead] = [await contact(), await contact()];
    const receivedAt = Date.now();
    await deliver([
      leadEvent(late, "contact.creation", { occurredAt: receivedAt - 2 * DAY, receivedAt }),
      leadEvent(ahead, "contact.creation", { occurredAt: receivedAt + 60_000, receivedAt }),
    ]);
    expect((await leadRow(late))!.first_event_at).toBe(receivedAt - 2 * DAY);
    expect((await leadRow(ahead))!.first_event_at).toBe(receivedAt + 60_000);
    expect(await clockAudit(late)).toBeUndefined();
  });
});

describe("bulk handoffs apart from new leads", () => {
  it("counts a backfilled or resynced contact in bulkHandoffs, never in speedToLead", async () => {
    const before = await report();
    const [backfilled, resynced, fresh] = [await contact(), await contact(), await contact()];
    await deliver([
      { events: [judgeAgain("62515", backfilled, `backfill:t:${backfilled}`, "backfill")] },
      { events: [judgeAgain("62515", resynced, `resync:${resynced}:t`, "resync")] },
    ]);
    expect(await leadRow(backfilled)).toMatchObject({
      status: "handed_off",
      handoff_origin: "backfill",
    });
    expect(await leadRow(resynced)).toMatchObject({ handoff_origin: "resync" });

    const bulk = await report();
    expect(bulk.speedToLead.count).toBe(before.speedToLead.count);
    expect(bulk.funnel.handedOff).toBe(before.funnel.handedOff + 2);
    expect(bulk.bulkHandoffs).toMatchObject({
      count: before.bulkHandoffs.count + 2,
      backfill: before.bulkHandoffs.backfill + 1,
      resync: before.bulkHandoffs.resync + 1,
    });
    expect(bulk.bulkHandoffs.spanMs).toEqual(expect.any(Number));

    await deliver([leadEvent(fresh)]);
    const after = await report();
    expect(after.speedToLead.count).toBe(before.speedToLead.count + 1);
    expect(after.bulkHandoffs.count).toBe(bulk.bulkHandoffs.count);
  });

  it("reads a queue message from before origins: a resync flag is a resync, no flag a webhook event", async () => {
    const [old, oldResync] = [await contact(), await contact()];
    const { origin: _o, ...legacy } = judgeAgain("62515", oldResync, `resync:${oldResync}:old`);
    await deliver([leadEvent(old), legacy]);
    expect(await leadRow(old)).toMatchObject({ status: "handed_off", handoff_origin: "webhook" });
    expect(await leadRow(oldResync)).toMatchObject({
      status: "handed_off",
      handoff_origin: "resync",
    });
  });
});
