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
  /** Start request i at i × intervalMs (an open-loop rate) instead of as soon as a slot frees. */
  intervalMs?: number;
  /** Untimed deliveries (and baseline requests) sent first, one at a time. */
  warmup?: number;
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

// A new contact arrives as about ten events (its creation, then one change per property set),
// so a delivery of 100 events names 10 contacts, as the sandbox HubSpot's own deliveries do.
const EVENTS_PER_CONTACT = 10;
const PROPERTIES = [
  "email",
  "firstname",
  "lastname",
  "company",
  "jobtitle",
  "hubspotscore",
  "hs_analytics_source",
  "lifecyclestage",
  "phone",
];

function batchBody(plan: LoadPlan, batch: number): string {
  const occurredAt = Date.now();
  const events = Array.from({ length: EVENTS_PER_BATCH }, (_, i) => {
    const n = batch * EVENTS_PER_BATCH + i;
    const objectId = plan.firstContactId + Math.floor(n / EVENTS_PER_CONTACT);
    const change = i % EVENTS_PER_CONTACT;
    return {
      eventId: (plan.firstEventId ?? 500_000_000) + n,
      subscriptionId: 1,
      portalId: 62515,
      appId: 54321,
      occurredAt,
      subscriptionType: change ? "contact.propertyChange" : "contact.creation",
      attemptNumber: 0,
      objectId,
      changeSource: "CRM",
      ...(change
        ? { propertyName: PROPERTIES[change - 1], propertyValue: "70" }
        : { changeFlag: "NEW" }),
    };
  });
  return JSON.stringify(events);
}

/** Milliseconds for a 2xx answer; NaN (dropped later) for a refusal, which is counted by status. */
async function timed(
  send: () => Promise<Response>,
  statuses: Record<string, number>,
): Promise<number> {
  const started = performance.now();
  const res = await send();
  await res.arrayBuffer();
  const ms = performance.now() - started;
  statuses[res.status] = (statuses[res.status] ?? 0) + 1;
  return res.ok ? ms : NaN;
}

async function runPool(
  count: number,
  concurrency: number,
  one: (i: number) => Promise<number>,
  intervalMs = 0,
  offsetMs = 0,
): Promise<number[]> {
  const out: number[] = [];
  const started = performance.now() + offsetMs;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const wait = started + i * intervalMs - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const ms = await one(i);
        if (!Number.isNaN(ms)) out.push(ms);
      }
    }),
  );
  return out;
}

export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  // Untimed first: the Worker's code paths compile on first use, which is not what HubSpot sees.
  for (let i = 0; i < (plan.warmup ?? 0); i++) {
    const send = signedPost(
      plan,
      batchBody(
        {
          ...plan,
          firstContactId: plan.firstContactId - 1_000_000,
          firstEventId: (plan.firstEventId ?? 500_000_000) - 1_000_000,
        },
        i,
      ),
    );
    await timed(send, {});
    if (plan.baselineUrl) await timed(() => fetch(plan.baselineUrl!), {});
  }
  const statuses: Record<string, number> = {};
  const baselineStatuses: Record<string, number> = {};
  const baseline = (offsetMs: number) =>
    plan.baselineUrl
      ? runPool(
          plan.batches,
          plan.concurrency,
          () => timed(() => fetch(plan.baselineUrl!), baselineStatuses),
          plan.intervalMs,
          offsetMs,
        )
      : Promise.resolve([]);
  const deliveries = () =>
    runPool(
      plan.batches,
      plan.concurrency,
      (i) => timed(signedPost(plan, batchBody(plan, i)), statuses),
      plan.intervalMs,
    );
  let started = performance.now();
  let latenciesMs: number[];
  let baselineMs: number[];
  if (plan.intervalMs) {
    // At a steady rate the two interleave, each baseline request half an interval after a
    // delivery: both meet the same background work (the consumer handling earlier deliveries in
    // the same workerd thread, the machine's other load), so their ratio is the route's own cost.
    [latenciesMs, baselineMs] = await Promise.all([deliveries(), baseline(plan.intervalMs / 2)]);
  } else {
    baselineMs = await baseline(0);
    started = performance.now();
    latenciesMs = await deliveries();
  }
  return {
    latenciesMs,
    baselineMs,
    wallMs: performance.now() - started,
    events: plan.batches * EVENTS_PER_BATCH,
    statuses,
  };
}

/**
 * Signed just before sending, as HubSpot does; building and signing happen before the clock starts.
 */
function signedPost(plan: LoadPlan, body: string): () => Promise<Response> {
  const timestamp = String(Date.now());
  const signature = createHmac("sha256", plan.secret)
    .update(`POST${plan.url}${body}${timestamp}`)
    .digest("base64");
  const headers = {
    "content-type": "application/json",
    "x-hubspot-signature-v3": signature,
    "x-hubspot-request-timestamp": timestamp,
  };
  return () => fetch(plan.url, { method: "POST", headers, body });
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
