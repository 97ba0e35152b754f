import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DeadLetterListSchema } from "../../shared/contracts/admin";
import { type DeadLetterKind, ERROR_KINDS } from "../../shared/contracts/outcomes";
import worker from "../../workers/index";
import { admin } from "./admin-client";
import { leadEvent } from "./queue-harness";

let run = 0;
const unique = () => `dk${Date.now().toString(36)}${++run}`;

/** The UPDATE in the migration that gave dead_letters its kind column. */
function migrationFill(): string {
  const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0008_"));
  const update = migration?.queries.find((q) => /^\s*UPDATE dead_letters/i.test(q));
  if (!update) throw new Error("migration 0008 has no UPDATE of dead_letters");
  return update;
}

/** Old-style rows, written as before the kind column: the kind only in the reason. */
const OLD_ROWS: [reason: string, kind: DeadLetterKind][] = [
  // Kinds added after the column (salesforce_auth, d1_unavailable, hubspot_auth) never began an
  // old reason.
  ...ERROR_KINDS.slice(0, ERROR_KINDS.indexOf("unexpected") + 1).map(
    (kind): [string, DeadLetterKind] => [`${kind}: it failed (503)`, kind],
  ),
  ["not a lead event: message.key: expected string", "invalid_message"],
  ["retries exhausted: the consumer failed on every delivery", "retries_exhausted"],
  ["something_new: said in a later version", "unexpected"],
];

async function kindsOf(messageIds: string[]): Promise<Record<string, string>> {
  const { results } = await env.DB.prepare(
    "SELECT message_id, kind FROM dead_letters WHERE message_id IN (SELECT value FROM json_each(?))",
  )
    .bind(JSON.stringify(messageIds))
    .all<{ message_id: string; kind: string }>();
  return Object.fromEntries(results.map((r) => [r.message_id, r.kind]));
}

describe("a dead letter's kind", () => {
  it("is filled for rows stored before the column, from the kind their reason began with", async () => {
    const ids = OLD_ROWS.map(() => `old-${unique()}`);
    await env.DB.batch(
      OLD_ROWS.map(([reason], i) =>
        env.DB.prepare(
          "INSERT INTO dead_letters (message_id, body, reason, attempts, received_at) VALUES (?, '{}', ?, 6, ?)",
        ).bind(ids[i], reason, Date.now()),
      ),
    );
    await env.DB.prepare(migrationFill()).run();
    expect(await kindsOf(ids)).toEqual(
      Object.fromEntries(OLD_ROWS.map(([, kind], i) => [ids[i], kind])),
    );
  });

  it("is stored from the message, read from reasons only for messages sent without one, and listed", async () => {
    const bodies = [
      // Sent by this version: the kind is what counts, whatever the reason says.
      {
        event: leadEvent("7100001"),
        kind: "hubspot_error",
        reason: "HubSpot said no",
        attempts: 6,
      },
      // A kind added with the pauses: stored and listed like any other.
      {
        event: leadEvent("7100003"),
        kind: "hubspot_auth",
        reason: "HubSpot refused Leadbridge's token (401 INVALID_AUTHENTICATION)",
        attempts: 6,
      },
      // Sent by the version before, still on the queue at deploy: read as migration 0008 reads
      // rows.
      ...OLD_ROWS.map(([reason], i) => ({
        event: leadEvent(String(7100010 + i)),
        reason,
        attempts: 6,
      })),
      // Moved here by the queue after the consumer failed on every delivery.
      leadEvent("7100002"),
    ];
    const batch = createMessageBatch(
      "lead-events-dlq",
      bodies.map((body) => ({ id: `dlq-${unique()}`, timestamp: new Date(), attempts: 6, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    await getQueueResult(batch, ctx);
    const expected = [
      "hubspot_error",
      "hubspot_auth",
      ...OLD_ROWS.map(([, kind]) => kind),
      "retries_exhausted",
    ];
    const ids = batch.messages.map((m) => m.id);
    expect(await kindsOf(ids)).toEqual(Object.fromEntries(ids.map((id, i) => [id, expected[i]])));

    const list = await admin("GET", `/admin/dead-letters?limit=${bodies.length}`);
    expect(list.status).toBe(200);
    const letters = DeadLetterListSchema.parse(list.body).deadLetters;
    expect(letters.map((d) => d.kind)).toEqual([...expected].reverse());
  });
});
