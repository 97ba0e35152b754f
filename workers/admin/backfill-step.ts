import { z } from "zod";
import type { ContactSnapshot } from "../../shared/contracts/webhook";
import { currentMapping } from "../../shared/db/mappings";
import { latestRouting } from "../../shared/db/routings";
import { currentRules } from "../../shared/db/rules";
import type { HubSpot } from "../../shared/hubspot/apis";
import { recordHeadroom } from "../../shared/hubspot/headroom";
import type { Logger } from "../../shared/log";
import { extraPropertiesOf } from "../handoff/handoff";
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
 * take (~19 calls a second at ~3.5 calls per 100 contacts); a slower search (the sandbox's, over
 * 100,000 contacts: ~0.5 s a page on average) sets the pace itself.
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
 * One step of a backfill: up to PAGES_PER_STEP search pages from the job's cursor, each new
 * contact recorded once and enqueued for the handoff on the backfill lane (behind live webhooks),
 * then the cursor saved. A step that lost
 * a race (cancelled, resumed, duplicate delivery) saves nothing and schedules nothing.
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
  let cursor: JobCursor = job.cursor
    ? (JSON.parse(job.cursor) as JobCursor)
    : { ts: Date.parse(params.since) };
  let done = false;
  let last: SearchPage | undefined;
  const properties = params.dryRun ? [] : await propertiesToCarry(env.DB);

  // Each page's contacts are recorded and enqueued while the next page is searched for.
  let recording: Promise<void> = Promise.resolve();
  let searchStarted = job.step > 0 ? Date.now() : 0;
  for (let page = 0; page < PAGES_PER_STEP && !done; page++) {
    // Searches start SEARCH_SPACING_MS apart, the previous step's last one included.
    const wait = SEARCH_SPACING_MS - (Date.now() - searchStarted);
    if (wait > 0) await sleep(wait);
    if (page > 0 && !(await isCurrent(env.DB, job))) {
      // A cancel (or resume) lands between pages rather than after the whole step.
      await recording;
      return "stale";
    }
    searchStarted = Date.now();
    const searched = await searchContacts(hubspot, {
      property: params.property,
      fromTs: cursor.ts,
      untilTs: Date.parse(params.until),
      after: cursor.after,
      limit: params.pageSize,
      properties,
    });
    await recording;
    last = searched;
    if (!job.cursor && page === 0) await setExpected(env.DB, job.id, searched.total);
    recording = recordPage(deps, job.id, params.dryRun, searched, searchStarted);
    recording.catch(() => {});
    const next = nextCursor(cursor, searched);
    if (next) cursor = next;
    else done = true;
  }
  await recording;
  await recordHeadroom(env.KV, last?.headroom ?? null);

  if (!(await advance(env.DB, job, cursor, done))) return "stale";
  if (!done)
    await env.ADMIN_JOBS.send({ jobId: job.id, step: job.step + 1 } satisfies JobStepMessage, {
      contentType: "json",
    });
  deps.log.info("backfill_step", { jobId: job.id, step: job.step, done });
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
 * already read at the cursor's own timestamp. Null when this was the last page.
 */
export function nextCursor(
  cursor: JobCursor,
  page: { contacts: Pick<SearchPage["contacts"][number], "ts">[]; nextAfter?: string },
): JobCursor | null {
  const stamps = page.contacts.map((c) => c.ts).filter(Number.isFinite);
  if (!page.nextAfter || stamps.length === 0) return null;
  const lastTs = Math.max(...stamps);
  const readAtLast = stamps.filter((ts) => ts === lastTs).length;
  const carried = lastTs === cursor.ts ? Number(cursor.after ?? 0) : 0;
  return { ts: lastTs, after: String(carried + readAtLast) };
}
