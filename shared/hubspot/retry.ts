import { RetryableError } from "../retryable";

type ApiError = { code?: number; headers?: Record<string, string>; message?: string };

const MAX_INLINE_WAIT_MS = 10_000;

/**
 * Runs a HubSpot call, waiting out 429s as HubSpot's headers say (a few times, briefly);
 * past that, or on 5xx, throws RetryableError so the queue retries later. A 5xx or network error
 * is tried once more inline unless `retryUnavailable` is false: a write that may have landed
 * (notes) is looked for before it is sent again.
 */
export async function withHubSpotRetry<T>(
  call: () => Promise<T>,
  attempts = 4,
  { retryUnavailable = true }: { retryUnavailable?: boolean } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const e = err as ApiError;
      if (e.code === 429) {
        const waitMs = retryAfterMs(e.headers ?? {});
        if (attempt < attempts && waitMs <= MAX_INLINE_WAIT_MS) {
          await new Promise((resolve) => setTimeout(resolve, waitMs));
          continue;
        }
        throw new RetryableError(
          "HubSpot rate limit reached",
          "hubspot_rate_limited",
          Math.ceil(waitMs / 1000) + 1,
        );
      }
      if (e.code === undefined || e.code >= 500) {
        if (retryUnavailable && attempt < 2) continue;
        throw new RetryableError(
          `HubSpot unavailable (${e.code ?? "network"})`,
          "hubspot_unavailable",
          30,
        );
      }
      throw err;
    }
  }
}

/** Retry-After (seconds) when given; otherwise the rolling window's length, jittered. */
export function retryAfterMs(headers: Record<string, string>): number {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const retryAfter = Number(lower["retry-after"]);
  if (Number.isFinite(retryAfter) && retryAfter > 0) return retryAfter * 1000;
  const interval = Number(lower["x-hubspot-ratelimit-interval-milliseconds"]);
  const base = Number.isFinite(interval) && interval > 0 ? Math.min(interval, 10_000) / 4 : 1000;
  return Math.round(base * (0.5 + Math.random()));
}
