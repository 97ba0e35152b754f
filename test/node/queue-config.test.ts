import { readFileSync } from "node:fs";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { MAX_DELIVERIES } from "../../shared/retryable";
import {
  MAX_DLQ_DELIVERIES,
  MAX_SLA_DELIVERIES,
  MAX_STEP_DELIVERIES,
  QUEUES,
} from "../../workers/queues";

const wrangler = parse(
  readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8"),
) as unknown as { queues: { consumers: { queue: string; max_retries?: number }[] } };

/** Deliveries of one message the Queues runtime makes: the first, then max_retries retries. */
function deliveries(queue: string): number {
  const consumer = wrangler.queues.consumers.find((c) => c.queue === queue);
  if (!consumer) throw new Error(`no consumer for ${queue} in wrangler.toml`);
  // Cloudflare's default when max_retries is not set.
  return (consumer.max_retries ?? 3) + 1;
}

describe("retry counts in code follow max_retries in wrangler.toml", () => {
  it("lead-events: the consumer dead-letters a contact itself on the last delivery", () => {
    expect(MAX_DELIVERIES).toBe(deliveries(QUEUES.leadEvents));
  });

  it("lead-backfill: the same consumer, so the same deliveries as lead-events", () => {
    expect(MAX_DELIVERIES).toBe(deliveries(QUEUES.leadBackfill));
  });

  it("lead-events-dlq: the consumer re-sends a letter D1 could not record on the last delivery", () => {
    expect(MAX_DLQ_DELIVERIES).toBe(deliveries(QUEUES.deadLetters));
  });

  it("admin-jobs: the last delivery of a failing step fails the job", () => {
    expect(MAX_STEP_DELIVERIES).toBe(deliveries(QUEUES.adminJobs));
  });

  it("lead-sla: the consumer sends a timer it still waits on again on the last delivery", () => {
    expect(MAX_SLA_DELIVERIES).toBe(deliveries(QUEUES.leadSla));
  });
});
