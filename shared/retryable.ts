import type { ErrorKind } from "./contracts/outcomes";

/** A failure that waiting can fix; the consumer retries the messages after `delaySeconds`. */
export class RetryableError extends Error {
  constructor(
    message: string,
    readonly kind: ErrorKind,
    readonly delaySeconds: number,
  ) {
    super(message);
    this.name = "RetryableError";
  }
}

/** The error itself when it is retryable; anything else is unexpected and retried in 30 s. */
export function asRetryableError(err: unknown): RetryableError {
  if (err instanceof RetryableError) return err;
  return new RetryableError(err instanceof Error ? err.message : String(err), "unexpected", 30);
}

/**
 * Matches max_retries in wrangler.toml: the delivery after which a message would be dropped to the
 * DLQ.
 */
export const MAX_DELIVERIES = 6;

export function backoffSeconds(attempts: number, floor: number): number {
  return Math.min(Math.max(floor, 2 ** attempts * 5), 12 * 60 * 60);
}

/**
 * The longest a contact failing transiently is retried before it is dead-lettered: the backoffs
 * of all its deliveries at the largest floor a transient error asks for (30 s). Holds wait longer.
 */
export function retryWindowSeconds(floor = 30): number {
  let total = 0;
  for (let attempts = 1; attempts < MAX_DELIVERIES; attempts++)
    total += backoffSeconds(attempts, floor);
  return total;
}
