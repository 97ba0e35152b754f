import { execFile } from "node:child_process";
import path from "node:path";
import type { Stack } from "../sandbox/stack";
import type { LoadPlan, LoadResult } from "./load/webhook-load";
import { percentile, round } from "./lib/stats";

export interface WebhookAckFigures {
  p50Ms: number;
  p99Ms: number;
  eventsPerSec: number;
}

export interface WebhookAckBaseline {
  healthP50Ms: number;
  healthP99Ms: number;
  batches: number;
  concurrency: number;
  non2xx: number;
}

/** Signed 100-event batches at HubSpot's 10 in flight, from a child process of its own. */
export async function measureWebhookAck(stack: Stack, batches: number, concurrency = 10): Promise<{ figures: WebhookAckFigures; baseline: WebhookAckBaseline }> {
  const plan: LoadPlan = {
    url: stack.webhookUrl,
    secret: "sandbox-client-secret",
    batches,
    concurrency,
    firstContactId: 800_000_000,
    baselineUrl: `${stack.workerUrl}/health`,
  };
  const result = await runChild(plan);
  const ok = result.statuses["200"] ?? 0;
  return {
    figures: {
      p50Ms: round(percentile(result.latenciesMs, 50)),
      p99Ms: round(percentile(result.latenciesMs, 99)),
      eventsPerSec: Math.round((ok * 100) / (result.wallMs / 1000)),
    },
    baseline: {
      healthP50Ms: round(percentile(result.baselineMs, 50)),
      healthP99Ms: round(percentile(result.baselineMs, 99)),
      batches,
      concurrency,
      non2xx: batches - ok,
    },
  };
}

function runChild(plan: LoadPlan): Promise<LoadResult> {
  const tsx = path.resolve("node_modules/.bin/tsx");
  return new Promise((resolve, reject) => {
    execFile(tsx, [path.resolve("bench/load/webhook-load.ts"), JSON.stringify(plan)], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`webhook load process failed: ${stderr || err.message}`));
      resolve(JSON.parse(stdout) as LoadResult);
    });
  });
}
