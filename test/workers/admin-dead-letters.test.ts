import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { queuedBytes, sendBatchesBySize } from "../../shared/queue-batches";
import { createApp } from "../../workers/app";
import worker from "../../workers/index";
import { ADMIN_TOKEN, admin, eventually } from "./admin-client";
import { keepingQueue, leadEvent, leadRow } from "./queue-harness";
import {
  createCompany,
  createContact,
  qualifyingContact,
  setHubSpotFaults,
  setSalesforceFaults,
} from "./sandboxes";

let run = 0;
const unique = () => `dl${Date.now().toString(36)}${++run}`;

beforeEach(async () => {
  await Promise.all([setHubSpotFaults([]), setSalesforceFaults([])]);
});

/** Runs the real DLQ consumer on what the lead-events consumer sends there when it gives up. */
async function deadLetter(bodies: unknown[]) {
  const batch = createMessageBatch(
    "lead-events-dlq",
    bodies.map((body) => ({ id: `dlq-${unique()}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  await getQueueResult(batch, ctx);
  const { results } = await env.DB.prepare("SELECT id FROM dead_letters ORDER BY id DESC LIMIT ?")
    .bind(bodies.length)
    .all<{ id: number }>();
  return results.map((r) => r.id).reverse();
}

describe("dead letters", () => {
  it("lists open dead letters and replays them: re-enqueued, judged, marked replayed", async () => {
    const id = await createContact(
      qualifyingContact(unique()),
      await createCompany({ name: "Acme Robotics" }),
    );
    const [good, poison] = await deadLetter([
      {
        event: leadEvent(id),
        reason: "hubspot_unavailable: HubSpot unavailable (503)",
        attempts: 6,
      },
      {
        event: { nonsense: true },
        reason: "not a lead event: message.key: expected string",
        attempts: 1,
      },
    ]);

    const list = await admin("GET", "/admin/dead-letters?limit=10");
    expect(list.status).toBe(200);
    expect(list.body.open).toBeGreaterThanOrEqual(2);
    expect(list.body.deadLetters.slice(0, 2)).toMatchObject([
      {
        id: poison,
        contactId: null,
        replayedAt: null,
        reason: expect.stringContaining("not a lead event"),
      },
      { id: good, contactId: id, eventType: "contact.creation", attempts: 6, replayedAt: null },
    ]);

    const replay = await admin("POST", "/admin/dead-letters/replay", {
      ids: [good!, poison!, 999_999],
    });
    expect(replay.status).toBe(200);
    expect(replay.body.replayed).toEqual([good]);
    expect(replay.body.skipped).toEqual(
      expect.arrayContaining([
        { id: poison, reason: expect.stringContaining("not a lead event") },
        { id: 999_999, reason: "no such dead letter" },
      ]),
    );
    await eventually(
      async () => ((await leadRow(id))?.status === "handed_off" ? true : undefined),
      30_000,
      "the replayed event to be handled",
    );

    const replayed = await admin("GET", "/admin/dead-letters?state=replayed&limit=50");
    expect(
      replayed.body.deadLetters.find((d: { id: number }) => d.id === good).replayedAt,
    ).not.toBeNull();
    const again = await admin("POST", "/admin/dead-letters/replay", { ids: [good!] });
    expect(again.body).toMatchObject({
      replayed: [],
      skipped: [{ id: good, reason: "already replayed" }],
    });
  });

  it("replays all open dead letters that are lead events", async () => {
    const ids = [
      await createContact(qualifyingContact(unique())),
      await createContact(qualifyingContact(unique())),
    ];
    await deadLetter(
      ids.map((contactId) => ({
        event: leadEvent(contactId),
        reason: "salesforce_unavailable: down",
        attempts: 6,
      })),
    );
    const res = await admin("POST", "/admin/dead-letters/replay", { all: true });
    expect(res.status).toBe(200);
    expect(res.body.remaining).toBe(res.body.skipped.length);
    for (const contactId of ids) {
      await eventually(
        async () => ((await leadRow(contactId))?.status === "rejected" ? true : undefined),
        30_000,
        "a replayed contact to be judged",
      );
    }
  });

  it("replays all of 120 letters of ten events each: sendBatch sized by bytes, not only by count", async () => {
    // Ten property changes with long names, as a new contact's delivery would be: ~3 KB a letter,
    // so 100 of them are over sendBatch's 256 KB (and the local queue's 288,000 bytes).
    const base = 9_100_000_000 + (Date.now() % 1_000_000) * 100;
    const letters = Array.from({ length: 120 }, (_, i) => {
      const contactId = String(base + i);
      const events = Array.from({ length: 10 }, (_, n) =>
        leadEvent(contactId, "contact.propertyChange", {
          propertyName: `leadbridge_long_property_name_${n}_${"x".repeat(100)}`,
        }),
      );
      return { event: { contactId, events }, reason: "hubspot_unavailable: down", attempts: 6 };
    });
    expect(JSON.stringify(letters.slice(0, 100).map((l) => l.event)).length).toBeGreaterThan(
      288_000,
    );
    // Within Cloudflare's own limit, which is tighter than the local queue's.
    for (const batch of sendBatchesBySize(letters.map((l) => l.event))) {
      expect(batch.length).toBeLessThanOrEqual(100);
      expect(batch.reduce((sum, m) => sum + queuedBytes(m.body), 0)).toBeLessThanOrEqual(256_000);
    }
    const ids = await deadLetter(letters);
    expect(ids).toHaveLength(120);

    const res = await admin("POST", "/admin/dead-letters/replay", { all: true });
    expect(res.status).toBe(200);
    expect(res.body.replayed).toEqual(expect.arrayContaining(ids));
    const open = await env.DB.prepare(
      `SELECT count(*) AS n FROM dead_letters WHERE replayed_at IS NULL AND id IN (${ids.join(",")})`,
    ).first<{ n: number }>();
    expect(open?.n).toBe(0);
  });

  it("replays an SLA timer the lead-sla consumer gave up on to its own queue, not skipped", async () => {
    const timer = {
      contactId: "dl-sla-1",
      leadId: "00Q000000000001AAA",
      pool: "inbound",
      routingVersion: 1,
      breach: 1,
      dueAt: Date.now(),
    };
    const row = await env.DB.prepare(
      "INSERT INTO dead_letters (message_id, body, kind, reason, attempts, received_at) VALUES ('dl-sla-1', ?, 'retries_exhausted', 'retries exhausted', 6, ?) RETURNING id",
    )
      .bind(JSON.stringify(timer), Date.now())
      .first<{ id: number }>();
    // lead-sla keeps what it is sent: the test sees where the timer went, and with what delay.
    const timers = keepingQueue();
    const res = await createApp().request(
      "/admin/dead-letters/replay",
      {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ ids: [row!.id] }),
      },
      { ...env, LEAD_SLA: timers.queue },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ replayed: [row!.id], skipped: [] });
    expect(timers.sent).toEqual([{ body: timer, delaySeconds: 0 }]);
    const stored = await env.DB.prepare("SELECT replayed_at FROM dead_letters WHERE id = ?")
      .bind(row!.id)
      .first<{ replayed_at: number | null }>();
    expect(stored?.replayed_at).toEqual(expect.any(Number));
  });

  it("refuses a replay request that names nothing", async () => {
    for (const body of [{}, { ids: [] }, { all: false }, { ids: [1], all: true }]) {
      expect((await admin("POST", "/admin/dead-letters/replay", body)).status).toBe(400);
    }
  });
});
