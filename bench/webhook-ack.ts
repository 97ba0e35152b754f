import { execFile } from "node:child_process";
import path from "node:path";
import type { Stack } from "../dev/stack";
import { percentile, round } from "./lib/stats";
import type { LoadPlan, LoadResult } from "./load/webhook-load";

export interface WebhookAckFigures {
  p50Ms: number;
  p99Ms: number;
  eventsPerSec: number;
}

export interface WebhookAckBaseline {
  /** GET /health timed the same way as the latency figures (one at a time, 20 a second). */
  healthP50Ms: number;
  healthP99Ms: number;
  /** The same deliveries at HubSpot's 10 in flight (the throughput run), and GET /health so. */
  inFlight: {
    concurrency: number;
    p50Ms: number;
    p99Ms: number;
    healthP50Ms: number;
    healthP99Ms: number;
  };
  batches: number;
  non2xx: number;
}

/**
 * Signed 100-event batches from a child process of its own, twice. Latency: one delivery at a
 * time at 20 a second (2,000 events/s, more than a busy portal sends), after a warm-up. Throughput:
 * as fast as HubSpot's 10 in flight allow. Locally the Worker is one workerd thread, so at 10 in
 * flight each answer also queues behind the other nine; in production concurrent deliveries do not
 * share a thread, so that run's latency is kept as context, beside GET /health timed the same ways.
 */
export const ACK_INTERVAL_MS = 50;

export async function measureWebhookAck(
  stack: Stack,
  batches: number,
  settle: () => Promise<void>,
  concurrency = 10,
): Promise<{ figures: WebhookAckFigures; baseline: WebhookAckBaseline }> {
  const plan = (c: number, firstContactId: number, intervalMs?: number): LoadPlan => ({
    url: stack.webhookUrl,
    secret: "sandbox-client-secret",
    batches,
    concurrency: c,
    firstContactId,
    firstEventId: firstContactId,
    warmup: 30,
    intervalMs,
    baselineUrl: `${stack.workerUrl}/health`,
  });
  const single = await runChild(plan(1, 800_000_000, ACK_INTERVAL_MS));
  await settle();
  const loaded = await runChild(plan(concurrency, 810_000_000));
  const ok = (r: LoadResult) => r.statuses["200"] ?? 0;
  const p = (values: number[], q: number) => round(percentile(values, q));
  return {
    figures: {
      p50Ms: p(single.latenciesMs, 50),
      p99Ms: p(single.latenciesMs, 99),
      eventsPerSec: Math.round((ok(loaded) * 100) / (loaded.wallMs / 1000)),
    },
    baseline: {
      healthP50Ms: p(single.baselineMs, 50),
      healthP99Ms: p(single.baselineMs, 99),
      inFlight: {
        concurrency,
        p50Ms: p(loaded.latenciesMs, 50),
        p99Ms: p(loaded.latenciesMs, 99),
        healthP50Ms: p(loaded.baselineMs, 50),
        healthP99Ms: p(loaded.baselineMs, 99),
      },
      batches,
      non2xx: 2 * batches - ok(single) - ok(loaded),
    },
  };
}

function runChild(plan: LoadPlan): Promise<LoadResult> {
  const tsx = path.resolve("node_modules/.bin/tsx");
  return new Promise((resolve, reject) => {
    execFile(
      tsx,
      [path.resolve("bench/load/webhook-load.ts"), JSON.stringify(plan)],
      { maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`webhook load process failed: ${stderr || err.message}`));
        resolve(JSON.parse(stdout) as LoadResult);
      },
    );
  });
}
