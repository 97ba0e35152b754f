import type { FaultBoard } from "../../common/faults";
import type { WebhookEvent } from "./events";
import { webhookHeaders } from "./signature";
import type { Subscription } from "./subscription";

const MAX_EVENTS_PER_REQUEST = 100;
const MAX_LOGGED = 2_000;
// Per PROTOCOLS these answers mean "never going to work", so HubSpot gives up at once.
const NOT_RETRIED = new Set([400, 401, 403, 404, 405]);

interface Batch {
  id: number;
  events: WebhookEvent[];
  attempt: number;
  duplicate?: boolean;
}

export interface DeliveryRecord {
  id: number;
  batchId: number;
  at: string;
  url: string;
  attemptNumber: number;
  events: number;
  eventIds: number[];
  /** The subscriptions the batch's events were sent under. */
  subscriptionIds: number[];
  status: number | null;
  ok: boolean;
  ms: number;
  error?: string;
  fault?: string;
  duplicate?: boolean;
  retryInMs?: number;
}

/** Batches events, signs and POSTs them like HubSpot, retrying failures with backoff. */
export class WebhookDispatcher {
  subscription?: Subscription;
  private queue: WebhookEvent[] = [];
  private ready: Batch[] = [];
  private inflight = new Set<Promise<void>>();
  private retries = new Map<Batch, ReturnType<typeof setTimeout>>();
  private timer?: ReturnType<typeof setTimeout>;
  private log: DeliveryRecord[] = [];
  private batchSeq = 0;
  private deliverySeq = 0;
  private eventSeq = 0;
  private generation = 0;

  constructor(private faults: FaultBoard) {}

  nextEventId = (): number => 100_000_000 + ++this.eventSeq;

  enqueue(events: WebhookEvent[]): void {
    if (events.length === 0 || !this.subscription) return;
    this.queue.push(...events);
    if (this.queue.length >= MAX_EVENTS_PER_REQUEST) this.cutBatches();
    else this.timer ??= setTimeout(() => this.cutBatches(), this.subscription.batchDelayMs);
  }

  deliveries(): DeliveryRecord[] {
    return [...this.log];
  }

  pending(): { queued: number; inflight: number; retrying: number } {
    return {
      queued: this.queue.length + this.ready.length,
      inflight: this.inflight.size,
      retrying: this.retries.size,
    };
  }

  /**
   * Sends everything pending now, retries included, and resolves once nothing is left in flight.
   */
  async flush(): Promise<void> {
    for (let round = 0; round < 10_000; round++) {
      this.cutBatches();
      for (const [batch, timer] of this.retries) {
        clearTimeout(timer);
        this.retries.delete(batch);
        this.start(batch);
      }
      if (this.inflight.size === 0 && this.ready.length === 0 && this.queue.length === 0) return;
      await Promise.race(this.inflight);
    }
  }

  /** Drops pending work and the log; deliveries already on the wire finish but are forgotten. */
  reset(): void {
    this.generation += 1;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const timer of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
    this.queue = [];
    this.ready = [];
    this.log = [];
  }

  private cutBatches(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) {
      this.start({
        id: ++this.batchSeq,
        events: this.queue.splice(0, MAX_EVENTS_PER_REQUEST),
        attempt: 0,
      });
    }
  }

  private start(batch: Batch): void {
    const limit = this.subscription?.maxConcurrentRequests ?? 10;
    if (this.inflight.size >= limit) {
      this.ready.push(batch);
      return;
    }
    const run: Promise<void> = this.deliver(batch, this.generation).finally(() => {
      this.inflight.delete(run);
      const next = this.ready.shift();
      if (next) this.start(next);
    });
    this.inflight.add(run);
  }

  private async deliver(batch: Batch, generation: number): Promise<void> {
    const sub = this.subscription;
    if (!sub) return;
    const events = batch.events.map((e) => ({ ...e, attemptNumber: batch.attempt }));
    const body = JSON.stringify(events);
    const fired = batch.duplicate
      ? []
      : this.faults.pick("POST", new URL(sub.targetUrl).pathname, [
          "webhook_fail",
          "webhook_duplicate",
        ]);
    const fail = fired.find((f) => f.kind === "webhook_fail");
    const started = Date.now();
    let status: number | null = null;
    let error: string | undefined;
    let retryAfterMs: number | undefined;
    if (fail) {
      status = fail.status ?? null;
      error = "fault: webhook_fail";
    } else {
      try {
        const res = await fetch(sub.targetUrl, {
          method: "POST",
          headers: webhookHeaders(sub.clientSecret, sub.targetUrl, body),
          body,
          signal: AbortSignal.timeout(sub.timeoutMs),
        });
        await res.arrayBuffer();
        status = res.status;
        const retryAfter = Number(res.headers.get("retry-after"));
        if (status === 429 && retryAfter > 0) retryAfterMs = retryAfter * 1000;
      } catch (e) {
        const timedOut =
          e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
        error = timedOut ? `no answer within ${sub.timeoutMs} ms` : String((e as Error).cause ?? e);
      }
    }
    if (generation !== this.generation) return;
    const ok = status !== null && status >= 200 && status < 300 && !error;
    const retry =
      !ok && !(status !== null && NOT_RETRIED.has(status)) && batch.attempt + 1 < sub.maxAttempts;
    const retryInMs = retry ? (retryAfterMs ?? backoff(sub.retryBaseMs, batch.attempt)) : undefined;
    this.record(batch, sub.targetUrl, {
      status,
      ok,
      ms: Date.now() - started,
      error,
      retryInMs,
      ...(fail ? { fault: "webhook_fail" } : {}),
      ...(batch.duplicate ? { duplicate: true } : {}),
    });
    if (retry) {
      const next = { ...batch, attempt: batch.attempt + 1, duplicate: false };
      this.retries.set(
        next,
        setTimeout(() => {
          this.retries.delete(next);
          this.start(next);
        }, retryInMs),
      );
    }
    // A redelivery of a batch the receiver already took, as HubSpot sometimes does.
    if (ok && fired.some((f) => f.kind === "webhook_duplicate"))
      this.start({ ...batch, duplicate: true });
  }

  private record(
    batch: Batch,
    url: string,
    outcome: Omit<
      DeliveryRecord,
      "id" | "batchId" | "at" | "url" | "attemptNumber" | "events" | "eventIds" | "subscriptionIds"
    >,
  ) {
    this.log.push({
      id: ++this.deliverySeq,
      batchId: batch.id,
      at: new Date().toISOString(),
      url,
      attemptNumber: batch.attempt,
      events: batch.events.length,
      eventIds: batch.events.map((e) => e.eventId),
      subscriptionIds: [...new Set(batch.events.map((e) => e.subscriptionId))],
      ...outcome,
    });
    if (this.log.length > MAX_LOGGED) this.log.splice(0, this.log.length - MAX_LOGGED);
  }
}

/**
 * Exponential, capped at 64x the base: HubSpot spreads 10 tries over a day, the sandbox over
 * seconds.
 */
const backoff = (baseMs: number, attempt: number) => baseMs * 2 ** Math.min(attempt, 6);
