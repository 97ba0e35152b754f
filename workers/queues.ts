/** Queue names as declared in wrangler.toml; a test checks they match. */
export const QUEUES = {
  leadEvents: "lead-events",
  /** Backfills and resyncs, handed off by the same consumer after live webhooks (see index.ts). */
  leadBackfill: "lead-backfill",
  deadLetters: "lead-events-dlq",
  adminJobs: "admin-jobs",
} as const;

/**
 * Deliveries of one backfill step, max_retries + 1 of the admin-jobs consumer in wrangler.toml (a
 * test checks): the last delivery of a failing step fails the job (it can be resumed).
 */
export const MAX_STEP_DELIVERIES = 11;

/**
 * Deliveries of one dead letter, max_retries + 1 of the lead-events-dlq consumer in wrangler.toml
 * (a test checks): after the last the queue drops the message, so the consumer re-sends it first.
 */
export const MAX_DLQ_DELIVERIES = 4;
