import { z } from "zod";

// Private-app limits: 190 requests per rolling 10 s, 1,000,000 a day; search has its own ~5/s.
export const RateLimitConfig = z.object({
  enabled: z.boolean().default(true),
  max: z.number().int().positive().default(190),
  intervalMs: z.number().int().positive().default(10_000),
  daily: z.number().int().positive().default(1_000_000),
  searchPerSecond: z.number().int().positive().default(5),
});
export type RateLimitConfig = z.infer<typeof RateLimitConfig>;

/**
 * Body of PUT /__sandbox/limits: only what is given changes; `resetWindow` forgets past requests.
 */
export const RateLimitPatch = z.object({
  enabled: z.boolean().optional(),
  max: z.number().int().positive().optional(),
  intervalMs: z.number().int().positive().optional(),
  daily: z.number().int().positive().optional(),
  searchPerSecond: z.number().int().positive().optional(),
  resetWindow: z.boolean().optional(),
});

export type RatePolicy = "TEN_SECONDLY_ROLLING" | "SECONDLY" | "DAILY";

export interface RateDecision {
  headers: Record<string, string>;
  /** Set when the request is refused. */
  refused?: { policy: RatePolicy; retryAfterMs: number };
}

export class RateLimiter {
  config: RateLimitConfig = RateLimitConfig.parse({});
  private window: number[] = [];
  private searchWindow: number[] = [];
  private dayCount = 0;
  private day = utcDay(Date.now());

  configure(patch: Partial<RateLimitConfig>): RateLimitConfig {
    const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    this.config = RateLimitConfig.parse({ ...this.config, ...given });
    return this.config;
  }

  reset(): void {
    this.window = [];
    this.searchWindow = [];
    this.dayCount = 0;
  }

  /** Counts one request and says whether it is within the limits, with the headers to send. */
  take(isSearch: boolean, now = Date.now()): RateDecision {
    const { config } = this;
    if (utcDay(now) !== this.day) {
      this.day = utcDay(now);
      this.dayCount = 0;
    }
    this.window = this.window.filter((t) => t > now - config.intervalMs);
    this.searchWindow = this.searchWindow.filter((t) => t > now - 1000);
    const refused = config.enabled ? this.refusal(isSearch, now) : undefined;
    if (!refused) {
      this.window.push(now);
      this.dayCount += 1;
      if (isSearch) this.searchWindow.push(now);
    }
    return { headers: this.headers(), refused };
  }

  private refusal(isSearch: boolean, now: number): RateDecision["refused"] {
    const { config } = this;
    if (this.dayCount >= config.daily) {
      return { policy: "DAILY", retryAfterMs: Date.UTC(...nextUtcMidnight(now)) - now };
    }
    if (this.window.length >= config.max) {
      return {
        policy: "TEN_SECONDLY_ROLLING",
        retryAfterMs: (this.window[0] ?? now) + config.intervalMs - now,
      };
    }
    if (isSearch && this.searchWindow.length >= config.searchPerSecond) {
      return { policy: "SECONDLY", retryAfterMs: (this.searchWindow[0] ?? now) + 1000 - now };
    }
    return undefined;
  }

  private headers(): Record<string, string> {
    const { config } = this;
    return {
      "X-HubSpot-RateLimit-Daily": String(config.daily),
      "X-HubSpot-RateLimit-Daily-Remaining": String(Math.max(0, config.daily - this.dayCount)),
      "X-HubSpot-RateLimit-Interval-Milliseconds": String(config.intervalMs),
      "X-HubSpot-RateLimit-Max": String(config.max),
      "X-HubSpot-RateLimit-Remaining": String(Math.max(0, config.max - this.window.length)),
    };
  }
}

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function nextUtcMidnight(now: number): [number, number, number] {
  const d = new Date(now);
  return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1];
}

/**
 * HubSpot's 429 body; `category` is not in it live, but the OpenAPI `Error` schema requires one.
 */
export function rateLimitBody(policy: RatePolicy, correlationId: string) {
  const limitName = {
    TEN_SECONDLY_ROLLING: "ten_secondly_rolling",
    SECONDLY: "secondly",
    DAILY: "daily",
  }[policy];
  return {
    status: "error",
    message: `You have reached your ${limitName} limit.`,
    errorType: "RATE_LIMIT",
    correlationId,
    policyName: policy,
    groupName: policy === "SECONDLY" ? "publicapi-search" : "private-app",
    category: "RATE_LIMITS",
  };
}
