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

/**
 * The error itself when it is retryable; a D1 call failing is the database being unavailable (a
 * pause, docs/handoff.md); anything else is unexpected and retried in 30 s.
 */
export function asRetryableError(err: unknown): RetryableError {
  if (err instanceof RetryableError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (isD1Outage(message)) return new RetryableError(message, "d1_unavailable", 15);
  return new RetryableError(message, "unexpected", 30);
}

/** D1's errors name it ("D1_ERROR: Network connection lost.", "D1 DB is overloaded…"). */
const D1_FAILURE = /\bD1\b|\bD1_[A-Z_]+/;
/** …but an SQL error is a bug in a statement, not D1 being down: waiting would not fix it. */
const SQL_ERROR =
  /SQLITE_(ERROR|CONSTRAINT|MISMATCH|RANGE|TOOBIG)|D1_TYPE_ERROR|D1_COLUMN_NOTFOUND|no such (table|column)|syntax error|too many SQL variables/i;

/** True for a D1 call that failed because D1 is down or overloaded. */
export function isD1Outage(message: string): boolean {
  return D1_FAILURE.test(message) && !SQL_ERROR.test(message);
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
