import { readFileSync, statSync } from "node:fs";
import type { Stack } from "../dev/stack";
import { RateLimitConfig } from "../sandbox/hubspot/ratelimit";
import type { Counts, Sandboxes } from "../test/harness/control";
import { queryD1 } from "../test/harness/d1";
import { createInbound } from "../test/harness/inbound";
import { waitForLeads } from "../test/harness/progress";
import { countDelta, percentile, round } from "./lib/stats";

export interface BurstFigures {
  leads: number;
  p50SpeedToLeadMs: number;
  p95SpeedToLeadMs: number;
  leadsPerSec: number;
  /**
   * The share of the burst's handoff batches' time spent judging (building MQLs and running the
   * compiled criteria), from the Worker's handoff_done log lines; null without the Worker's log.
   */
  judgeShare?: number | null;
  /**
   * Seconds HubSpot's rate limit alone needs for the Worker's calls of the burst
   * (rateLimitFloorSeconds); the 10,000-lead burst's p95 goal is within 1.3× of it.
   */
  floorSeconds?: number;
}

export interface BurstDetail extends BurstFigures {
  handedOff: number;
  refused: number;
  settled: boolean;
  hubspotCalls: number;
  salesforceCalls: number;
  hubspotByEndpoint: Record<string, number>;
  /** Of the Worker's HubSpot calls, those the sandbox answered 429 (no share of the limit). */
  hubspotRateLimited: number;
  seconds: number;
  floorSeconds: number;
}

// The bench's own writes: contacts and companies created in HubSpot (the Worker creates neither).
const OURS = (endpoint: string) =>
  /^POST \/crm\/v3\/objects\/(contacts|companies)\/batch\/create$/.test(endpoint);

/**
 * A burst of `count` new contacts created in HubSpot at once; measures speed-to-lead (first
 * HubSpot event to hand-off, from D1) and the API calls the Worker made for them.
 */
export async function measureBurst(
  stack: Stack,
  sandboxes: Sandboxes,
  count: number,
  log: (line: string) => void,
  workerLog?: string,
): Promise<BurstDetail> {
  const logFrom = workerLog ? statSync(workerLog).size : 0;
  const tag = `b${count}-${Date.now().toString(36)}`;
  const before = await Promise.all([sandboxes.hubspotCounts(), sandboxes.salesforceCounts()]);
  const started = Date.now();
  const leads = await createInbound(sandboxes, count, tag);
  log(`  burst ${count}: contacts created in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  const { complete } = await waitForLeads(
    stack.hubspot,
    stack.stateDir!,
    leads.map((l) => l.contactId),
    { stallMs: 120_000, log },
  );
  await sleepUntilQuiet(sandboxes);
  const after = await Promise.all([sandboxes.hubspotCounts(), sandboxes.salesforceCounts()]);

  const { rows, handed, p50SpeedToLeadMs, p95SpeedToLeadMs } = await speedToLead(
    stack,
    leads.map((l) => l.contactId),
  );
  const firstEvent = Math.min(...rows.map((r) => r.first_event_at));
  const lastDone = Math.max(...rows.map((r) => r.handed_off_at ?? r.judged_at));
  const hubspotByEndpoint = deltaByEndpoint(before[0], after[0]);
  const hubspotCalls = countDelta(before[0].byEndpoint, after[0].byEndpoint, (e) => !OURS(e));
  const hubspotRateLimited = countDelta(
    before[0].rateLimitedByEndpoint ?? {},
    after[0].rateLimitedByEndpoint ?? {},
    (e) => !OURS(e),
  );
  return {
    leads: count,
    p50SpeedToLeadMs,
    p95SpeedToLeadMs,
    leadsPerSec: round(rows.length / ((lastDone - firstEvent) / 1000)),
    judgeShare: workerLog ? judgeShareOf(workerLog, logFrom) : null,
    handedOff: handed.length,
    refused: rows.filter((r) => r.status === "rejected").length,
    settled: complete,
    hubspotCalls,
    salesforceCalls: countDelta(before[1].byEndpoint, after[1].byEndpoint),
    hubspotByEndpoint,
    hubspotRateLimited,
    seconds: (lastDone - firstEvent) / 1000,
    floorSeconds: rateLimitFloorSeconds(hubspotCalls - hubspotRateLimited),
  };
}

/**
 * The least time HubSpot's rate limit alone allows for `calls` calls: no rolling window of
 * `intervalMs` may hold more than `max` (the sandbox's limit, 190 per 10 s), so with an empty
 * window at the start, call k (from 1) cannot go out before ⌊(k − 1) / max⌋ windows after the
 * first, and the last of `calls` not before ⌊(calls − 1) / max⌋ × intervalMs; no time at all for
 * up to `max` calls. Round trips are not in it: this is the limit's share alone.
 */
export function rateLimitFloorSeconds(
  calls: number,
  { max, intervalMs }: Pick<RateLimitConfig, "max" | "intervalMs"> = RateLimitConfig.parse({}),
): number {
  if (calls <= 0) return 0;
  return (Math.floor((calls - 1) / max) * intervalMs) / 1000;
}

/** The contacts' lead rows in D1, and speed-to-lead (first HubSpot event to hand-off) of those handed off. */
export async function speedToLead(stack: Stack, contactIds: string[]) {
  // By id range (a 10,000-id IN list is over D1's statement size), then exactly these contacts.
  const ids = new Set(contactIds);
  const numeric = [...ids].map(Number);
  const inRange = await queryD1<{
    contact_id: string;
    status: string;
    first_event_at: number;
    judged_at: number;
    handed_off_at: number | null;
  }>(
    stack.stateDir!,
    `SELECT contact_id, status, first_event_at, judged_at, handed_off_at FROM leads
     WHERE CAST(contact_id AS INTEGER) BETWEEN ${Math.min(...numeric)} AND ${Math.max(...numeric)}`,
  );
  const rows = inRange.filter((r) => ids.has(r.contact_id));
  const handed = rows.filter((r) => r.status === "handed_off" && r.handed_off_at !== null);
  const speed = handed.map((r) => r.handed_off_at! - r.first_event_at);
  return {
    rows,
    handed,
    handedOff: handed.length,
    p50SpeedToLeadMs: Math.round(percentile(speed, 50)),
    p95SpeedToLeadMs: Math.round(percentile(speed, 95)),
  };
}

/** Judging's share of the handoff batches logged after byte `from` of the Worker's output. */
export function judgeShareOf(file: string, from: number): number | null {
  let judge = 0;
  let total = 0;
  const text = readFileSync(file).subarray(from).toString("utf8");
  for (const line of text.split("\n")) {
    if (!line.includes('"handoff_done"')) continue;
    try {
      const entry = JSON.parse(line.slice(line.indexOf("{"))) as { judgeMs?: number; ms?: number };
      judge += entry.judgeMs ?? 0;
      total += entry.ms ?? 0;
    } catch {
      // a line wrangler split or prefixed: not a figure
    }
  }
  return total ? round(judge / total, 4) : null;
}

function deltaByEndpoint(before: Counts, after: Counts): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after.byEndpoint)
      .map(([e, n]) => [e, n - (before.byEndpoint[e] ?? 0)] as const)
      .filter(([e, n]) => n > 0 && !OURS(e)),
  );
}

/** Waits until neither sandbox has served a request for `quietMs` (retries and stragglers done). */
export async function sleepUntilQuiet(
  sandboxes: Sandboxes,
  quietMs = 3000,
  maxMs = 180_000,
): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = -1;
  while (Date.now() < deadline) {
    const [h, s] = await Promise.all([sandboxes.hubspotCounts(), sandboxes.salesforceCounts()]);
    if (h.total + s.total === last) return;
    last = h.total + s.total;
    await new Promise((r) => setTimeout(r, quietMs));
  }
}
