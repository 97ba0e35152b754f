import type { Logger } from "../../shared/log";
import { PAUSE_CAP_SECONDS, pauseDelaySeconds } from "../../shared/pause";

/** The longest a message waits between deliveries while D1 fails. */
export const D1_RETRY_CAP_SECONDS = PAUSE_CAP_SECONDS;

/** 15 s after the first delivery, doubling with each one, up to 15 minutes. */
export function d1RetrySeconds(attempts: number): number {
  return pauseDelaySeconds(attempts);
}

/**
 * Messages whose work needs D1 while D1 fails wait, longer with each delivery. Retries count
 * toward the queue's max_retries, so on the last delivery it allows a message is sent again to
 * the same queue (its deliveries and its retention start over) and acked: an outage of any
 * length delays work and never walks it to the dead-letter queue or off the end of it.
 */
export async function waitOutD1(
  messages: readonly Message<unknown>[],
  opts: {
    queue: Queue;
    lastDelivery: number;
    /** The body sent again; it must be handled as the original would be (idempotent). */
    resend: (msg: Message<unknown>) => unknown;
    log: Logger;
    error: unknown;
    /** The wait before a delivery; by default d1RetrySeconds (the consumer adds the pause's age). */
    delaySeconds?: (attempts: number) => number;
  },
): Promise<void> {
  let resent = 0;
  const delayOf = opts.delaySeconds ?? d1RetrySeconds;
  for (const msg of messages) {
    const delaySeconds = delayOf(msg.attempts);
    if (msg.attempts < opts.lastDelivery) {
      msg.retry({ delaySeconds });
      continue;
    }
    try {
      await opts.queue.send(opts.resend(msg), { contentType: "json", delaySeconds });
      msg.ack();
      resent++;
    } catch {
      // The queue is failing too: the last retry the queue allows is still better than a crash.
      msg.retry({ delaySeconds });
    }
  }
  opts.log.warn("d1_unavailable", {
    messages: messages.length,
    resent,
    error: (opts.error instanceof Error ? opts.error.message : String(opts.error)).slice(0, 200),
  });
}
