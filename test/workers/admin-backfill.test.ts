import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import {
  BOTH_ENDS_MIN_PAGES,
  type JobStepMessage,
  nextCursor,
  PAGES_PER_STEP,
} from "../../workers/admin/backfill-step";
import { createApp } from "../../workers/app";
import { LIVE_QUIET_MS } from "../../workers/handoff/live-first";
import { QUEUES } from "../../workers/queues";
import { ADMIN_TOKEN, admin, eventually } from "./admin-client";
import { deliver, recordingQueue } from "./queue-harness";
import {
  createCompany,
  createContact,
  hubspotCounts,
  qualifyingContact,
  salesforceLeads,
  setHubSpotFaults,
  setSalesforceFaults,
} from "./sandboxes";

let run = 0;
const unique = () => `bf${Date.now().toString(36)}${++run}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeEach(async () => {
  await Promise.all([setHubSpotFaults([]), setSalesforceFaults([])]);
  await env.KV.delete("salesforce:usage");
});

/**
 * `n` fresh contacts, every third one refused (free email), in a time window no other test writes
 * to.
 */
async function contactsInWindow(n: number) {
  await sleep(5);
  const since = new Date().toISOString();
  const company = await createCompany({ name: "Backfill Robotics" });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = unique();
    ids.push(
      await createContact(
        qualifyingContact(k, i % 3 === 2 ? { email: `dev${k}@gmail.com` } : {}),
        company,
      ),
    );
  }
  await sleep(5);
  return { ids, since, until: new Date().toISOString() };
}

const job = async (id: string) => (await admin("GET", `/admin/jobs/${id}`)).body;
const settled = (id: string, total: number) =>
  eventually(
    async () => {
      const j = await job(id);
      return j.state === "done" && j.progress.handedOff + j.progress.refused === total
        ? j
        : undefined;
    },
    45_000,
    "the backfill to finish and every contact to be judged",
  );

/** A dry-run backfill of the window, two contacts a page, followed until done. */
async function dryRun(since: string, until: string) {
  const started = await admin("POST", "/admin/backfill", {
    since,
    until,
    dryRun: true,
    pageSize: 2,
  });
  return eventually(
    async () => {
      const j = await job(started.body.id);
      return j.state === "done" ? j : undefined;
    },
    40_000,
    "the dry run",
  );
}

async function judgementsOf(id: string) {
  const row = await env.DB.prepare(
    "SELECT count(*) AS n FROM audit WHERE contact_id = ? AND step = 'enriched'",
  )
    .bind(id)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** POST /admin/backfill through the Worker's app with the bindings given. */
async function startBackfill(bindings: Env, body: unknown) {
  const res = await createApp().fetch(
    new Request("http://leadbridge.test/admin/backfill", {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    bindings,
    createExecutionContext(),
  );
  return { status: res.status, body: (await res.json()) as any };
}

describe("POST /admin/backfill", () => {
  it("processes every contact once when interrupted and resumed", async () => {
    const { ids, since, until } = await contactsInWindow(20);
    // Until the resume, each step message waits on a recording queue and the test hands it to
    // the real consumer: a step is over when its delivery is acknowledged.
    const steps = recordingQueue();
    const stepEnv = { ...env, ADMIN_JOBS: steps.queue } as Env;
    const runNextStep = async () => {
      const step = steps.sent.shift() as JobStepMessage;
      const outcome = await deliver([step], 1, stepEnv, QUEUES.adminJobs);
      expect(outcome.explicitAcks, `step ${step.step}`).toEqual(outcome.ids);
      return step;
    };
    const started = await startBackfill(stepEnv, { since, until, pageSize: 2 });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      kind: "backfill",
      state: "running",
      params: { dryRun: false, pageSize: 2, property: "createdate" },
    });
    const id = started.body.id as string;
    expect((await admin("POST", "/admin/backfill", { since, until })).status).toBe(409);

    // Interrupt between steps: the first step has read its pages and scheduled the second.
    expect(await runNextStep()).toEqual({ jobId: id, step: 0 });
    const firstStep = PAGES_PER_STEP * 2;
    expect(steps.sent).toEqual([{ jobId: id, step: 1 }]);
    expect((await job(id)).progress.scanned).toBe(firstStep);
    const cancelled = await admin("POST", `/admin/jobs/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe("cancelled");
    expect(cancelled.body.progress.scanned).toBe(firstStep);
    // The second step arrives after the cancel: the consumer runs it to the end and it moves
    // nothing, and schedules nothing.
    await runNextStep();
    expect(steps.sent).toEqual([]);
    expect(await job(id)).toMatchObject({ state: "cancelled", progress: { scanned: firstStep } });
    expect((await admin("POST", `/admin/jobs/${id}/cancel`)).status).toBe(409);

    // Resumed through the Worker, the rest runs on the real queue.
    const resumed = await admin("POST", `/admin/jobs/${id}/resume`);
    expect(resumed.status).toBe(200);
    expect(resumed.body.state).toBe("running");
    const done = await settled(id, ids.length);
    expect(done.progress).toMatchObject({
      scanned: ids.length,
      enqueued: ids.length,
      handedOff: 14,
      refused: 6,
      pending: 0,
    });
    expect(done.finishedAt).not.toBeNull();
    expect(done.expected).toBe(ids.length);

    const { results } = await env.DB.prepare("SELECT contact_id FROM job_contacts WHERE job_id = ?")
      .bind(id)
      .all<{ contact_id: string }>();
    expect(results.map((r) => r.contact_id).sort()).toEqual([...ids].sort());
    for (const contactId of ids) expect(await judgementsOf(contactId), contactId).toBe(1);
    const leads = (await salesforceLeads()).filter((l) => ids.includes(l.HubSpot_Contact_Id__c));
    expect(leads).toHaveLength(14);
    expect((await admin("POST", `/admin/jobs/${id}/resume`)).status).toBe(409);
  });

  it("only counts contacts on a dry run, and waits out HubSpot's 429s", async () => {
    const { ids, since, until } = await contactsInWindow(5);
    await setHubSpotFaults([
      { kind: "rate_limit", path: "/crm/v3/objects/contacts/search", times: 1 },
    ]);
    const searchesBefore =
      (await hubspotCounts()).byEndpoint["POST /crm/v3/objects/contacts/search"] ?? 0;
    const done = await dryRun(since, until);
    expect(done.progress).toMatchObject({ scanned: 5, enqueued: 0, handedOff: 0, refused: 0 });
    for (const contactId of ids) expect(await judgementsOf(contactId)).toBe(0);
    // Three pages of two, and the one refused by the 429.
    expect(
      ((await hubspotCounts()).byEndpoint["POST /crm/v3/objects/contacts/search"] ?? 0) -
        searchesBefore,
    ).toBe(4);
    const health = (await admin("GET", "/admin/sync-health")).body;
    expect(health.hubspot.max).toBeGreaterThan(0);
    expect(health.hubspot.remaining).not.toBeNull();
  });

  it("paces its searches within HubSpot's few a second: twelve pages cost twelve searches, none refused", async () => {
    const { since, until } = await contactsInWindow(24);
    const searchesBefore =
      (await hubspotCounts()).byEndpoint["POST /crm/v3/objects/contacts/search"] ?? 0;
    const done = await dryRun(since, until);
    expect(done.progress.scanned).toBe(24);
    // A search HubSpot refused (over its per-second limit) would be a thirteenth call, retried.
    expect(
      ((await hubspotCounts()).byEndpoint["POST /crm/v3/objects/contacts/search"] ?? 0) -
        searchesBefore,
    ).toBe(12);
  });

  it("walks a long range from both ends at once, and reads each contact once", async () => {
    // Two contacts a page: more pages than BOTH_ENDS_MIN_PAGES, so the walk from `until` runs too.
    const n = BOTH_ENDS_MIN_PAGES * 2 + 6;
    const { ids, since, until } = await contactsInWindow(n);
    const searches = async () =>
      (await hubspotCounts()).byEndpoint["POST /crm/v3/objects/contacts/search"] ?? 0;
    const before = await searches();
    const done = await dryRun(since, until);
    expect(done.progress.scanned).toBe(n);
    expect(done.expected).toBe(n);
    // The walk from the end kept its own cursor: both walks moved into the range, and met.
    expect(done.cursor.down).toBeDefined();
    expect(done.cursor.ts).toBeGreaterThan(Date.parse(since));
    expect(done.cursor.down.ts).toBeLessThan(Date.parse(until));
    expect(done.cursor.down.ts - done.cursor.ts).toBeLessThan(
      (Date.parse(until) - Date.parse(since)) / 2,
    );
    const { results } = await env.DB.prepare("SELECT contact_id FROM job_contacts WHERE job_id = ?")
      .bind(done.id)
      .all<{ contact_id: string }>();
    expect(results.map((r) => r.contact_id).sort()).toEqual([...ids].sort());
    // n / 2 pages between the two walks, and at most the page each had in flight where they met.
    const made = (await searches()) - before;
    expect(made).toBeGreaterThanOrEqual(n / 2);
    expect(made).toBeLessThanOrEqual(n / 2 + 2);
  });

  it("walks a range of BOTH_ENDS_MIN_PAGES pages from its start only", async () => {
    const { since, until } = await contactsInWindow(BOTH_ENDS_MIN_PAGES * 2);
    const done = await dryRun(since, until);
    expect(done.progress.scanned).toBe(BOTH_ENDS_MIN_PAGES * 2);
    expect(done.cursor.down).toBeUndefined();
  });

  it("holds its searches while live leads are being handed off", async () => {
    // One contact a page: a first step of PAGES_PER_STEP pages, and a second.
    const { since, until } = await contactsInWindow(PAGES_PER_STEP + 2);
    const steps = recordingQueue();
    const stepEnv = { ...env, ADMIN_JOBS: steps.queue } as Env;
    const runStep = async () => {
      const lines: string[] = [];
      const spy = vi.spyOn(console, "log").mockImplementation((line) => lines.push(String(line)));
      try {
        await deliver([steps.sent.shift()], 1, stepEnv, QUEUES.adminJobs);
      } finally {
        spy.mockRestore();
      }
      return lines
        .map((l) => JSON.parse(l) as { event: string; yieldedMs?: number })
        .find((e) => e.event === "backfill_step")!;
    };
    // Nothing live: the step searches at once.
    await startBackfill(stepEnv, { since, until, dryRun: true, pageSize: 1 });
    expect((await runStep()).yieldedMs).toBe(0);

    // A delivery the live consumer just took: the next step waits until it is LIVE_QUIET_MS old.
    const id = `live-${unique()}`;
    const receivedAt = Date.now();
    await env.DB.prepare(
      "INSERT INTO webhook_deliveries (id, day, events, ignored, received_at) VALUES (?, '2099-01-01', 0, 0, ?)",
    )
      .bind(id, receivedAt)
      .run();
    try {
      const step = await runStep();
      expect(step.yieldedMs).toBeGreaterThan(0);
      // Its search went out only then (without the wait a step of pages 300 ms apart is over
      // well before).
      expect(Date.now()).toBeGreaterThanOrEqual(receivedAt + LIVE_QUIET_MS);
    } finally {
      await env.DB.batch([
        env.DB.prepare("DELETE FROM webhook_deliveries WHERE id = ?").bind(id),
        env.DB.prepare("DELETE FROM daily_counters WHERE day = '2099-01-01'"),
      ]);
    }
  });

  it("refuses bad ranges and unknown jobs", async () => {
    const bad = await admin("POST", "/admin/backfill", {
      since: "2024-02-01",
      until: "2024-01-01",
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("body.until");
    expect(
      (await admin("POST", "/admin/backfill", { since: "last week" })).body.error.message,
    ).toContain("body.since");
    expect(
      (await admin("POST", "/admin/backfill", { since: "2024-01-01", pageSize: 500 })).status,
    ).toBe(400);
    expect((await admin("GET", "/admin/jobs/bf_missing")).status).toBe(404);
    expect((await admin("POST", "/admin/jobs/bf_missing/resume")).status).toBe(404);
  });
});

describe("nextCursor", () => {
  const page = (stamps: number[], more = true) => ({
    contacts: stamps.map((ts, i) => ({ id: String(i), ts })),
    nextAfter: more ? "x" : undefined,
  });

  it.each([
    [
      "moves to the last timestamp, skipping what was read there",
      { ts: 0 },
      page([1, 2, 3, 3]),
      { ts: 3, after: "2" },
    ],
    [
      "keeps counting while a page stays on one timestamp",
      { ts: 5, after: "2" },
      page([5, 5]),
      { ts: 5, after: "4" },
    ],
    [
      "restarts the count on a new timestamp",
      { ts: 5, after: "4" },
      page([5, 6]),
      { ts: 6, after: "1" },
    ],
    ["stops on the last page", { ts: 0 }, page([1, 2], false), null],
    ["stops on an empty page", { ts: 0 }, page([]), null],
  ])("%s", (_name, cursor, p, expected) => {
    expect(nextCursor(cursor, p)).toEqual(expected);
  });

  it.each([
    [
      "moves down to the oldest timestamp, skipping what was read there",
      { ts: 9 },
      page([9, 8, 7, 7]),
      { ts: 7, after: "2" },
    ],
    [
      "keeps counting while a page stays on one timestamp",
      { ts: 7, after: "2" },
      page([7, 7]),
      { ts: 7, after: "4" },
    ],
    ["restarts the count lower down", { ts: 7, after: "4" }, page([7, 6]), { ts: 6, after: "1" }],
    ["stops on the last page", { ts: 9 }, page([8, 7], false), null],
  ])("from the end: %s", (_name, cursor, p, expected) => {
    expect(nextCursor(cursor, p, true)).toEqual(expected);
  });
});
