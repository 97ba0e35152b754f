import { z } from "zod";
import type { ContactSnapshot } from "../../shared/contracts/webhook";
import { currentMapping } from "../../shared/db/mappings";
import { latestRouting } from "../../shared/db/routings";
import { currentRules } from "../../shared/db/rules";
import type { HubSpot } from "../../shared/hubspot/apis";
import { recordHeadroom } from "../../shared/hubspot/headroom";
import type { Logger } from "../../shared/log";
import { extraPropertiesOf } from "../handoff/handoff";
import { MAX_YIELD_MS, yieldToLiveLeads } from "../handoff/live-first";
import { CONTACT_PROPERTIES } from "../handoff/mql";
import { type SearchPage, searchContacts } from "./contact-search";
import { judgeAgain, sendJudgeAgain } from "./enqueue";
import {
  advance,
  foundContacts,
  getJob,
  isCurrent,
  type JobCursor,
  type JobParams,
  markEnqueued,
  setExpected,
} from "./job-store";

/**
 * HubSpot allows 4–5 searches a second: searches start 300 ms apart (3.3 a second: five in one
 * second would take 200 ms of jitter), 8 pages a step, and the next step follows at once (its first
 * search still 300 ms after this step's last). A page's contacts are recorded and enqueued while
 * the next page is searched for. At 200 contacts a page that feeds the lane up to ~650 contacts a
 * second while a search answers within 300 ms, more than HubSpot's per-app limit lets the handoff
 * take (~19 calls a second at ~3.5 calls per 100 contacts). A slower search (the sandbox's, over
 * 100,000 contacts: ~0.5 s a page on average) would set the pace of one walk: a long range is
 * walked from both ends at once (BOTH_ENDS_MIN_PAGES), two searches in flight.
 */
export const PAGES_PER_STEP = 8;
export const SEARCH_SPACING_MS = 300;

export const JobStepMessageSchema = z.object({
  jobId: z.string(),
  step: z.number().int().nonnegative(),
});
export type JobStepMessage = z.infer<typeof JobStepMessageSchema>;

export interface StepDeps {
  env: Pick<Env, "DB" | "KV" | "LEAD_BACKFILL" | "ADMIN_JOBS">;
  hubspot: HubSpot;
  portalId: string;
  log: Logger;
  sleep?: (ms: number) => Promise<void>;
}

export type StepResult = "stale" | "continued" | "done";

/**
 * A range of more pages than this (HubSpot's count at the walk's first page) is walked from both
 * ends at once: a search answers in about half a second over a large portal, so one walk, each
 * search waiting for the last one's cursor, would set the pace (two keep SEARCH_SPACING_MS busy).
 */
export const BOTH_ENDS_MIN_PAGES = 4 * PAGES_PER_STEP;

type Direction = "up" | "down";

/**
 * One step of a backfill: up to PAGES_PER_STEP search pages from the job's cursor, each new
 * contact recorded once and enqueued for the handoff on the backfill lane (behind live webhooks),
 * then the cursor saved. A long range is walked from both ends (oldest first from `since`, newest
 * first from `until`) until the two walks pass each other. A step that lost a race (cancelled,
 * resumed, duplicate delivery) saves nothing and schedules nothing.
 */
export async function runBackfillStep(
  deps: StepDeps,
  message: JobStepMessage,
): Promise<StepResult> {
  const { env, hubspot } = deps;
  const sleep =
    deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const job = await getJob(env.DB, message.jobId);
  if (job?.state !== "running" || job.step !== message.step) return "stale";
  const params = JSON.parse(job.params) as JobParams;
  const sinceTs = Date.parse(params.since);
  const untilTs = Date.parse(params.until);
  const cursor: JobCursor = job.cursor ? (JSON.parse(job.cursor) as JobCursor) : { ts: sinceTs };
  let done = false;
  let stale = false;
  let pagesLeft = PAGES_PER_STEP;
  let pagesStarted = 0;
  let yielded = 0;
  let last: SearchPage | undefined;
  const properties = params.dryRun ? [] : await propertiesToCarry(env.DB);

  // Searches start SEARCH_SPACING_MS apart, from either walk and the previous step's last one
  // included; each walk records and enqueues a page's contacts while it searches for its next.
  let nextSearchAt = job.step > 0 ? Date.now() + SEARCH_SPACING_MS : 0;
  const recordings: Promise<void>[] = [];
  // Live leads first: while webhook deliveries are being handed off the searches wait too (as the
  // lane's batches do), MAX_YIELD_MS a step at most, so a live burst has HubSpot's per-app limit
  // to itself. Both walks wait on the same wait.
  let yielding: Promise<void> | undefined;
  const giveWayToLiveLeads = () =>
    (yielding ??= yieldToLiveLeads(env.DB, { maxMs: MAX_YIELD_MS - yielded }).then((ms) => {
      yielded += ms;
      yielding = undefined;
    }));
  const page = async (direction: Direction): Promise<SearchPage | undefined> => {
    pagesLeft--;
    await giveWayToLiveLeads();
    const startAt = Math.max(nextSearchAt, Date.now());
    nextSearchAt = startAt + SEARCH_SPACING_MS;
    if (startAt > Date.now()) await sleep(startAt - Date.now());
    if (done) return undefined;
    if (pagesStarted++ > 0 && !(await isCurrent(env.DB, job))) {
      // A cancel (or resume) lands between pages rather than after the whole step.
      stale = done = true;
      return undefined;
    }
    const from = direction === "up" ? cursor : cursor.down!;
    const searchedAt = Date.now();
    // Each walk searches only between the two cursors: what lies beyond the other one is read.
    const searched = await searchContacts(hubspot, {
      property: params.property,
      fromTs: direction === "up" ? from.ts : cursor.ts,
      untilTs: direction === "up" ? (cursor.down?.ts ?? untilTs) : from.ts,
      after: from.after,
      limit: params.pageSize,
      properties,
      descending: direction === "down",
    });
    last = searched;
    const recording = recordPage(deps, job.id, params.dryRun, searched, searchedAt);
    recording.catch(() => {});
    recordings.push(recording);
    const next = nextCursor(from, searched, direction === "down");
    // A walk that reaches its end (the other walk's place, or the range's) has read the whole
    // range; two that passed each other have too (everything before the upward cursor and after
    // the downward one is read).
    if (!next) done = true;
    else if (direction === "up") Object.assign(cursor, next);
    else cursor.down = next;
    if (cursor.down && cursor.ts > cursor.down.ts) done = true;
    return searched;
  };
  const walk = async (direction: Direction) => {
    while (!done && pagesLeft > 0 && (direction === "up" || cursor.down)) await page(direction);
  };

  // The first page says how many contacts the range holds, and so whether to walk from both ends.
  if (!job.cursor) {
    const first = await page("up");
    if (first) {
      await setExpected(env.DB, job.id, first.total);
      if (!done && first.total > BOTH_ENDS_MIN_PAGES * params.pageSize)
        cursor.down = { ts: untilTs };
    }
  }
  await Promise.all([walk("up"), walk("down")]);
  await Promise.all(recordings);
  if (stale) return "stale";
  await recordHeadroom(env.KV, last?.headroom ?? null);

  if (!(await advance(env.DB, job, cursor, done))) return "stale";
  if (!done)
    await env.ADMIN_JOBS.send({ jobId: job.id, step: job.step + 1 } satisfies JobStepMessage, {
      contentType: "json",
    });
  deps.log.info("backfill_step", { jobId: job.id, step: job.step, done, yieldedMs: yielded });
  return done ? "done" : "continued";
}

/**
 * A page's contacts recorded for the job (each once) and those not enqueued yet sent to the lane,
 * with what the search read of them at `searchedAt`.
 */
async function recordPage(
  deps: StepDeps,
  jobId: string,
  dryRun: boolean,
  page: SearchPage,
  searchedAt: number,
): Promise<void> {
  const { env, portalId } = deps;
  const waiting = await foundContacts(
    env.DB,
    jobId,
    page.contacts.map((c) => c.id),
  );
  if (dryRun || !waiting.length) return;
  const found = new Map(page.contacts.map((c) => [c.id, c.properties]));
  await sendJudgeAgain(
    env.LEAD_BACKFILL,
    waiting.map((id) => {
      const event = judgeAgain(portalId, id, `backfill:${jobId}:${id}`, "backfill");
      const snapshot = snapshotOf(found.get(id), searchedAt);
      return snapshot ? { ...event, snapshot } : event;
    }),
  );
  await markEnqueued(env.DB, jobId, waiting);
}

/**
 * The contact properties the handoff reads under the rules, mapping and routing in force: the
 * search returns them, and the contacts go to the lane with them (so the handoff does not read
 * them again).
 */
async function propertiesToCarry(db: D1Database): Promise<string[]> {
  const [rules, mapping, routing] = await Promise.all([
    currentRules(db),
    currentMapping(db),
    latestRouting(db),
  ]);
  const extra = extraPropertiesOf(rules.rules, mapping.mapping, routing?.routing);
  return [...new Set([...CONTACT_PROPERTIES, ...extra.contact])];
}

/**
 * A snapshot rides along unless it is large (long free-text properties): such a contact is read
 * by the handoff instead. packEvents keeps each message under the queue's 128 KB (a page's
 * contacts may take two or three messages).
 */
export const SNAPSHOT_MAX_BYTES = 4_000;

function snapshotOf(
  properties: Record<string, string | null> | undefined,
  at: number,
): ContactSnapshot | undefined {
  if (!properties) return undefined;
  return JSON.stringify(properties).length <= SNAPSHOT_MAX_BYTES ? { at, properties } : undefined;
}

/**
 * Keyset paging on the timestamp, so the walk never meets the search API's 10,000-result cap
 * and contacts touched meanwhile cannot shift later pages; `after` only skips the contacts
 * already read at the cursor's own timestamp. The walk from the range's end (`descending`) moves
 * down to its page's oldest timestamp. Null when this was the last page.
 */
export function nextCursor(
  cursor: { ts: number; after?: string },
  page: { contacts: Pick<SearchPage["contacts"][number], "ts">[]; nextAfter?: string },
  descending = false,
): { ts: number; after: string } | null {
  const stamps = page.contacts.map((c) => c.ts).filter(Number.isFinite);
  if (!page.nextAfter || stamps.length === 0) return null;
  const lastTs = descending ? Math.min(...stamps) : Math.max(...stamps);
  const readAtLast = stamps.filter((ts) => ts === lastTs).length;
  const carried = lastTs === cursor.ts ? Number(cursor.after ?? 0) : 0;
  return { ts: lastTs, after: String(carried + readAtLast) };
}
