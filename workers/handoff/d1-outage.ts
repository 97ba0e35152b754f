import type { Logger } from "../../shared/log";
import { PAUSE_CAP_SECONDS, pauseDelaySeconds } from "../../shared/pause";

/** The longest a message waits between deliveries while D1 fails. */
export const D1_RETRY_CAP_SECONDS = PAUSE_CAP_SECONDS;

/** 15 s after the first delivery, doubling with each one, up to 15 minutes. */
export function d1RetrySeconds(attempts: number): number {
  return pauseDelaySeconds(attempts);
}

/** Where a message put off on its last delivery is sent again, and as what. */
export interface Resending {
  queue: Queue;
  /** The delivery after which the queue drops the message (its max_retries + 1). */
  lastDelivery: number;
  /** The body sent again; it must be handled as the original would be (idempotent). */
  resend: (msg: Message<unknown>) => unknown;
}

/**
 * Puts one message off: a retry after `delaySeconds`, or on the last delivery the queue allows the
 * message sent again (its deliveries and its retention start over) and acked, so waiting never
 * walks it to the dead-letter queue. True when it was sent again.
 */
export async function retryOrResend(
  msg: Message<unknown>,
  delaySeconds: number,
  opts: Resending,
): Promise<boolean> {
  if (msg.attempts < opts.lastDelivery) {
    msg.retry({ delaySeconds });
    return false;
  }
  try {
    await opts.queue.send(opts.resend(msg), { contentType: "json", delaySeconds });
    msg.ack();
    return true;
  } catch {
    // The queue is failing too: the last retry the queue allows is still better than a crash.
    msg.retry({ delaySeconds });
    return false;
  }
}

/**
 * Messages whose work needs D1 while D1 fails wait, longer with each delivery. Retries count
 * toward the queue's max_retries, so on the last delivery it allows a message is sent again to
 * the same queue and acked (retryOrResend): an outage of any length delays work and never walks
 * it to the dead-letter queue or off the end of it.
 */
export async function waitOutD1(
  messages: readonly Message<unknown>[],
  opts: Resending & {
    log: Logger;
    error: unknown;
    /** The wait before a delivery; by default d1RetrySeconds (the consumer adds the pause's age). */
    delaySeconds?: (attempts: number) => number;
  },
): Promise<void> {
  let resent = 0;
  const delayOf = opts.delaySeconds ?? d1RetrySeconds;
  for (const msg of messages) if (await retryOrResend(msg, delayOf(msg.attempts), opts)) resent++;
  opts.log.warn("d1_unavailable", {
    messages: messages.length,
    resent,
    error: (opts.error instanceof Error ? opts.error.message : String(opts.error)).slice(0, 200),
  });
}
