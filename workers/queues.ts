/** Queue names as declared in wrangler.toml; a test checks they match. */
export const QUEUES = {
  leadEvents: "lead-events",
  /** Backfills and resyncs, handed off by the same consumer after live webhooks (see index.ts). */
  leadBackfill: "lead-backfill",
  deadLetters: "lead-events-dlq",
  adminJobs: "admin-jobs",
  /** SLA timers: delayed messages, one per assigned Lead and breach (workers/sla/timers.ts). */
  leadSla: "lead-sla",
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

/**
 * Deliveries of one SLA timer, max_retries + 1 of the lead-sla consumer in wrangler.toml (a test
 * checks): on the last the consumer sends a timer it still waits on again instead of letting the
 * queue drop it, so an owed alert or reassignment is never lost.
 */
export const MAX_SLA_DELIVERIES = 6;
