import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import worker from "../../workers/index";
import {
  AUDIT_KEEP_DAYS,
  JOB_CONTACTS_KEEP_DAYS,
  JUDGED_SNAPSHOTS_KEEP_DAYS,
  NOTE_INTENTS_KEEP_DAYS,
  PRIVACY_TOMBSTONES_KEEP_DAYS,
  REPLAYED_DEAD_LETTERS_KEEP_DAYS,
} from "../../workers/telemetry/prune";
import { NIGHTLY_CRON } from "../../workers/telemetry/schedule";
import { setSalesforceFaults } from "./sandboxes";

// Retention through the real nightly cron: rows past their keeping time go, recent ones and open
// dead letters stay, and a telemetry run that fails does not skip the prune.

const DAY = 86_400_000;
let run = 0;
const tag = () => `rt${Date.now().toString(36)}${++run}`;

afterEach(async () => {
  await setSalesforceFaults([]);
});

/** Rows on both sides of each keeping time, named `<tag>:<which>`. */
async function seedBothSides(now: number, t: string) {
  const past = (days: number) => now - (days + 1) * DAY;
  const recent = (days: number) => now - (days - 1) * DAY;
  const audit = (which: string, at: number) =>
    env.DB.prepare(
      "INSERT INTO audit (contact_id, at, step, detail) VALUES (?, ?, 'received', '{}')",
    ).bind(`${t}:${which}`, at);
  const letter = (which: string, receivedAt: number, replayedAt: number | null) =>
    env.DB.prepare(
      "INSERT INTO dead_letters (message_id, body, reason, attempts, received_at, replayed_at) VALUES (?, '{}', 'r', 6, ?, ?)",
    ).bind(`${t}:${which}`, receivedAt, replayedAt);
  const job = (which: string, state: string, finishedAt: number | null, updatedAt: number) =>
    env.DB.batch([
      env.DB.prepare(
        "INSERT INTO jobs (id, kind, state, params, created_at, updated_at, finished_at) VALUES (?, 'backfill', ?, '{}', ?, ?, ?)",
      ).bind(`${t}:${which}`, state, updatedAt, updatedAt, finishedAt),
      env.DB.prepare(
        "INSERT INTO job_contacts (job_id, contact_id, found_at, enqueued_at) VALUES (?, ?, ?, ?)",
      ).bind(`${t}:${which}`, `${t}:${which}`, updatedAt, updatedAt),
    ]);
  const intent = (which: string, at: number) =>
    env.DB.prepare(
      "INSERT INTO note_intents (contact_id, feedback_key, at) VALUES (?, 'k', ?)",
    ).bind(`${t}:${which}`, at);
  const tombstone = (which: string, at: number) =>
    env.DB.prepare("INSERT INTO privacy_tombstones (token, at) VALUES (?, ?)").bind(
      `${t}:${which}`,
      at,
    );
  const snapshot = (which: string, at: number) =>
    env.DB.prepare(
      "INSERT INTO judged_snapshots (contact_id, judged_at, rules_version, contact) VALUES (?, ?, 1, '{}')",
    ).bind(`${t}:${which}`, at);
  await env.DB.batch([
    snapshot("old", past(JUDGED_SNAPSHOTS_KEEP_DAYS)),
    snapshot("new", recent(JUDGED_SNAPSHOTS_KEEP_DAYS)),
    tombstone("old", past(PRIVACY_TOMBSTONES_KEEP_DAYS)),
    tombstone("new", recent(PRIVACY_TOMBSTONES_KEEP_DAYS)),
    audit("old", past(AUDIT_KEEP_DAYS)),
    audit("new", recent(AUDIT_KEEP_DAYS)),
    letter("replayed-old", past(400), past(REPLAYED_DEAD_LETTERS_KEEP_DAYS)),
    letter("replayed-new", past(400), recent(REPLAYED_DEAD_LETTERS_KEEP_DAYS)),
    // Never replayed: kept however old, until an admin replays it.
    letter("open-old", past(400), null),
    intent("old", past(NOTE_INTENTS_KEEP_DAYS)),
    intent("new", recent(NOTE_INTENTS_KEEP_DAYS)),
  ]);
  const finished = past(JOB_CONTACTS_KEEP_DAYS);
  await job("done-old", "done", finished, finished);
  await job("done-new", "done", recent(JOB_CONTACTS_KEEP_DAYS), recent(JOB_CONTACTS_KEEP_DAYS));
  await job("cancelled-old", "cancelled", null, finished);
  // Still walking (its last step long ago): a running job keeps what it found.
  await job("running-old", "running", null, finished);
}

/** What is left of the seeded rows, per table, by name. */
async function left(t: string) {
  const names = async (sql: string) =>
    (await env.DB.prepare(sql).bind(`${t}:%`).all<{ n: string }>()).results
      .map((r) => r.n.slice(t.length + 1))
      .sort();
  return {
    audit: await names("SELECT contact_id AS n FROM audit WHERE contact_id LIKE ?"),
    deadLetters: await names("SELECT message_id AS n FROM dead_letters WHERE message_id LIKE ?"),
    jobContacts: await names("SELECT job_id AS n FROM job_contacts WHERE job_id LIKE ?"),
    noteIntents: await names("SELECT contact_id AS n FROM note_intents WHERE contact_id LIKE ?"),
    privacyTombstones: await names("SELECT token AS n FROM privacy_tombstones WHERE token LIKE ?"),
    judgedSnapshots: await names(
      "SELECT contact_id AS n FROM judged_snapshots WHERE contact_id LIKE ?",
    ),
  };
}

const kept = {
  audit: ["new"],
  deadLetters: ["open-old", "replayed-new"],
  jobContacts: ["done-new", "running-old"],
  noteIntents: ["new"],
  privacyTombstones: ["new"],
  judgedSnapshots: ["new"],
};

async function nightly(scheduledTime: number, bindings: Env = env) {
  const controller = createScheduledController({ cron: NIGHTLY_CRON, scheduledTime });
  return worker.scheduled(controller, bindings, createExecutionContext());
}

describe("retention", () => {
  it("prunes audit lines, replayed dead letters, finished jobs' contacts, note intents and judged snapshots past their keeping time", async () => {
    const now = Date.now();
    const t = tag();
    await seedBothSides(now, t);
    await nightly(now);
    expect(await left(t)).toEqual(kept);
  });

  it("prunes even when the night's telemetry fails, and still reports the failure", async () => {
    const now = Date.now();
    const t = tag();
    await seedBothSides(now, t);
    // Salesforce down alone does not fail the night (the report goes out from the mirror), so the
    // report's own write fails too: KV refuses writes for this invocation.
    await setSalesforceFaults([{ kind: "status", status: 503, path: "/services/data/" }]);
    const kv = {
      get: env.KV.get.bind(env.KV),
      put: async () => {
        throw new Error("KV PUT failed: 503 Service Unavailable");
      },
    } as unknown as KVNamespace;
    await expect(nightly(now, { ...env, KV: kv })).rejects.toThrow(/KV PUT failed/);
    expect(await left(t)).toEqual(kept);
  });
});
