// A separate load process: POSTs signed 100-event webhook batches to the Worker the way HubSpot
// does (v3 signature, up to `concurrency` in flight) and prints latencies as JSON on stdout.
// Usage: tsx bench/load/webhook-load.ts '<json LoadPlan>'
import { createHmac } from "node:crypto";
import { performance } from "node:perf_hooks";

export interface LoadPlan {
  url: string;
  secret: string;
  batches: number;
  concurrency: number;
  /** First contact id; ids that do not exist in HubSpot keep the handoff's work small. */
  firstContactId: number;
  /** First event id, so two runs against one Worker never share an event. */
  firstEventId?: number;
  /** Also time GET /health the same way: the baseline for an answer with no work behind it. */
  baselineUrl?: string;
}

export interface LoadResult {
  /** Latencies of the batches answered 2xx. */
  latenciesMs: number[];
  baselineMs: number[];
  wallMs: number;
  events: number;
  statuses: Record<string, number>;
}

const EVENTS_PER_BATCH = 100;

function batchBody(plan: LoadPlan, batch: number): string {
  const occurredAt = Date.now();
  const events = Array.from({ length: EVENTS_PER_BATCH }, (_, i) => {
    const n = batch * EVENTS_PER_BATCH + i;
    return {
      eventId: (plan.firstEventId ?? 500_000_000) + n, subscriptionId: 1, portalId: 62515, appId: 54321, occurredAt,
      subscriptionType: i % 2 ? "contact.propertyChange" : "contact.creation", attemptNumber: 0,
      objectId: plan.firstContactId + n, changeSource: "CRM",
      ...(i % 2 ? { propertyName: "hubspotscore", propertyValue: "70" } : { changeFlag: "NEW" }),
    };
  });
  return JSON.stringify(events);
}

/** Milliseconds for a 2xx answer; NaN (dropped later) for a refusal, which is counted by status. */
async function timed(send: () => Promise<Response>, statuses: Record<string, number>): Promise<number> {
  const started = performance.now();
  const res = await send();
  await res.arrayBuffer();
  const ms = performance.now() - started;
  statuses[res.status] = (statuses[res.status] ?? 0) + 1;
  return res.ok ? ms : NaN;
}

async function runPool(count: number, concurrency: number, one: (i: number) => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const ms = await one(next++);
        if (!Number.isNaN(ms)) out.push(ms);
      }
    }),
  );
  return out;
}

export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const statuses: Record<string, number> = {};
  const baselineStatuses: Record<string, number> = {};
  const baselineMs = plan.baselineUrl
    ? await runPool(plan.batches, plan.concurrency, () => timed(() => fetch(plan.baselineUrl!), baselineStatuses))
    : [];
  const started = performance.now();
  const latenciesMs = await runPool(plan.batches, plan.concurrency, (i) => {
    const body = batchBody(plan, i);
    const timestamp = String(Date.now());
    // Signed just before sending, as HubSpot does; signing is not part of the Worker's time.
    const signature = createHmac("sha256", plan.secret).update(`POST${plan.url}${body}${timestamp}`).digest("base64");
    return timed(
      () => fetch(plan.url, { method: "POST", headers: { "content-type": "application/json", "x-hubspot-signature-v3": signature, "x-hubspot-request-timestamp": timestamp }, body }),
      statuses,
    );
  });
  return { latenciesMs, baselineMs, wallMs: performance.now() - started, events: plan.batches * EVENTS_PER_BATCH, statuses };
}

if (process.argv[1]?.endsWith("webhook-load.ts")) {
  const plan = JSON.parse(process.argv[2] ?? "{}") as LoadPlan;
  runLoad(plan).then(
    (result) => process.stdout.write(JSON.stringify(result)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
