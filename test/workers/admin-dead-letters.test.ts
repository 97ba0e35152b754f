import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../../workers/index";
import { admin, eventually } from "./admin-client";
import { leadEvent, leadRow } from "./queue-harness";
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

  it("refuses a replay request that names nothing", async () => {
    for (const body of [{}, { ids: [] }, { all: false }, { ids: [1], all: true }]) {
      expect((await admin("POST", "/admin/dead-letters/replay", body)).status).toBe(400);
    }
  });
});
