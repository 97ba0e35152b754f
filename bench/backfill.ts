import { openSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { startStack } from "../dev/stack";
import type { Job } from "../shared/contracts/admin";
import { Sandboxes } from "../test/harness/control";
import { createInbound, useRealisticLatency } from "../test/harness/inbound";
import { waitForLeads } from "../test/harness/progress";
import { adminApi } from "../test/node/admin-stack";
import { rateLimitFloorSeconds } from "./handoff-burst";
import { round } from "./lib/stats";
import { sizesFromArgs } from "./sizes";

/** What latest.json keeps: the backfill's wall time and the floor HubSpot's limits set for it. */
export interface BackfillFigures {
  contacts: number;
  seconds: number;
  floorSeconds: number;
}

/** HubSpot's limits as the sandbox enforced them (GET /__sandbox/limits). */
interface Limits {
  max: number;
  intervalMs: number;
  searchPerSecond: number;
}

/** The fewest HubSpot calls a backfill of these contacts can make, by kind (see floorOf). */
export interface FloorCalls {
  searches: number;
  associationReads: number;
  companyReads: number;
  statusUpdates: number;
  noteCreates: number;
  total: number;
}

export interface BackfillDetail extends BackfillFigures {
  /** seconds / floorSeconds. */
  vsFloor: number;
  limits: Limits;
  floorCalls: FloorCalls;
  /** What the floor is bound by: the search limit or the per-app limit. */
  floorBoundBy: "search" | "perApp";
  /** The Worker's HubSpot calls during the backfill, by endpoint (the sandbox's counts). */
  hubspotByEndpoint: Record<string, number>;
  hubspotCalls: number;
  /** The job's progress at the end. */
  job: Job["progress"] & { state: Job["state"] };
  settled: boolean;
}

/** HubSpot's search pages hold at most 200 results; its batch reads and writes take 100 inputs. */
const SEARCH_PAGE_MAX = 200;
const BATCH_MAX = 100;

/**
 * The floor: the fewest calls a backfill needs, at the rate HubSpot's limits allow them.
 * Searches: one per 200 contacts, at most `searchPerSecond`. Reads: the contacts' company
 * associations (100 a call) and their companies (100 distinct companies a call); the contacts
 * themselves need no read, the search returns their properties. Writes the handoff owes every
 * contact (its guarantee, not an option): the status properties (100 contacts a batch update) and
 * a note for each refusal (100 a batch create). Every call counts against the per-app limit
 * (`max` per rolling `intervalMs`), searches included, as a burst's floor counts them
 * (rateLimitFloorSeconds). The floor is the larger of the two times.
 */
export function floorOf(
  work: { contacts: number; companies: number; refused: number },
  limits: Limits,
): { calls: FloorCalls; seconds: number; boundBy: "search" | "perApp" } {
  const searches = Math.ceil(work.contacts / SEARCH_PAGE_MAX);
  const calls = {
    searches,
    associationReads: Math.ceil(work.contacts / BATCH_MAX),
    companyReads: Math.ceil(work.companies / BATCH_MAX),
    statusUpdates: Math.ceil(work.contacts / BATCH_MAX),
    noteCreates: Math.ceil(work.refused / BATCH_MAX),
  };
  const total = Object.values(calls).reduce((a, b) => a + b, 0);
  const searchSeconds = searches / limits.searchPerSecond;
  const perAppSeconds = rateLimitFloorSeconds(total, limits);
  return {
    calls: { ...calls, total },
    seconds: round(Math.max(searchSeconds, perAppSeconds), 1),
    boundBy: searchSeconds > perAppSeconds ? "search" : "perApp",
  };
}

/**
 * Its own stack (realistic latency, HubSpot's rate limit on): `contacts` contacts created with
 * webhooks paused (they were there before Leadbridge), then a backfill of them through the admin
 * API, alone, timed from the POST to the last contact showing its feedback in HubSpot with the
 * job done.
 */
export async function measureBackfill(
  contacts: number,
  log: (line: string) => void,
  workerLog?: string,
): Promise<BackfillDetail> {
  const stack = await startStack({
    isolatedState: true,
    snapshot: true,
    ...(workerLog ? { workerOutput: openSync(workerLog, "w") } : {}),
  });
  const sandboxes = new Sandboxes(stack.hubspotUrl, stack.salesforceUrl, stack.webhookUrl);
  const api = adminApi(stack.workerUrl);
  try {
    await useRealisticLatency(sandboxes);
    await sandboxes.setHubSpotLimits({ enabled: false });
    await sandboxes.subscribe({ active: false });
    const since = new Date().toISOString();
    const seeded = Date.now();
    const leads = await createInbound(sandboxes, contacts, `bf${Date.now().toString(36)}`);
    log(`  ${contacts} contacts created in ${((Date.now() - seeded) / 1000).toFixed(1)}s`);
    await new Promise((r) => setTimeout(r, 1000));
    const until = new Date().toISOString();
    const limits = (await sandboxes.setHubSpotLimits({
      enabled: true,
      resetWindow: true,
    })) as Limits;
    await sandboxes.resetCounts();

    const started = Date.now();
    const job = await api.call<Job>("POST", "/admin/backfill", { since, until });
    const ids = leads.map((l) => l.contactId);
    const { complete, settledAt } = await waitForLeads(stack.hubspot, stack.stateDir!, ids, {
      stallMs: 120_000,
      pollMs: 250,
    });
    // The walk ends before its last contacts settle; if not, the time runs to its end.
    let done = await api.call<Job>("GET", `/admin/jobs/${job.id}`);
    let finished = settledAt;
    while (done.state === "running" || done.progress.pending > 0) {
      await new Promise((r) => setTimeout(r, 250));
      done = await api.call<Job>("GET", `/admin/jobs/${job.id}`);
      finished = Date.now();
    }
    const seconds = round((finished - started) / 1000, 1);
    const counts = await sandboxes.hubspotCounts();
    const companies = new Set(leads.flatMap((l) => (l.company === undefined ? [] : [l.company])))
      .size;
    const floor = floorOf({ contacts, companies, refused: done.progress.refused }, limits);
    return {
      contacts,
      seconds,
      floorSeconds: floor.seconds,
      vsFloor: round(seconds / floor.seconds, 3),
      limits: {
        max: limits.max,
        intervalMs: limits.intervalMs,
        searchPerSecond: limits.searchPerSecond,
      },
      floorCalls: floor.calls,
      floorBoundBy: floor.boundBy,
      hubspotByEndpoint: counts.byEndpoint,
      hubspotCalls: counts.total,
      job: { ...done.progress, state: done.state },
      settled: complete,
    };
  } finally {
    await stack.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      contacts: { type: "string" },
      // The Worker's output (its handoff_done lines time each batch's phases).
      "worker-log": { type: "string" },
    },
  });
  const contacts = Number(
    values.contacts ?? sizesFromArgs(values.quick ? ["--quick"] : []).backfillContacts,
  );
  const measured = await measureBackfill(
    contacts,
    (line) => console.error(line),
    values["worker-log"],
  );
  console.log(JSON.stringify(measured, null, 2));
}
