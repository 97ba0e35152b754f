import { RetryableError } from "../retryable";

type ApiError = {
  code?: number;
  headers?: Record<string, string>;
  message?: string;
  /** HubSpot's error body, as the official client gives it (`ApiException.body`). */
  body?: unknown;
};

const MAX_INLINE_WAIT_MS = 10_000;

/**
 * Runs a HubSpot call, waiting out 429s as HubSpot's headers say (a few times, briefly);
 * past that, or on 5xx, throws RetryableError so the queue retries later. A 5xx or network error
 * is tried once more inline unless `retryUnavailable` is false: a write that may have landed
 * (notes) is looked for before it is sent again. HubSpot refusing Leadbridge's token (a 401, or a
 * 403 for scopes the token lacks) fails every call alike: RetryableError `hubspot_auth`, a pause
 * (docs/handoff.md, "Pauses"), never tried again inline. Any other 4xx is thrown as it came: the
 * caller's own request (one contact's) is at fault.
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
      const refused = authRefusal(e);
      if (refused) throw new RetryableError(refused, "hubspot_auth", 30);
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

/**
 * HubSpot's categories for a 403 that concerns the token, not the record: a private app (or OAuth
 * grant) without a scope the call needs. A 403 for anything else (a user's permissions on one
 * record, say) is left to the caller.
 */
const TOKEN_403_CATEGORIES: ReadonlySet<string> = new Set(["MISSING_SCOPES"]);

/**
 * Why HubSpot refuses Leadbridge's token, or undefined when the error is not that: any 401
 * (`INVALID_AUTHENTICATION` for a token HubSpot does not know, revoked or rotated;
 * `EXPIRED_AUTHENTICATION`), or a 403 `MISSING_SCOPES`. Says the category and, for scopes, the
 * ones HubSpot names; the body holds no contact data.
 */
function authRefusal(e: ApiError): string | undefined {
  if (e.code !== 401 && e.code !== 403) return undefined;
  const body = (typeof e.body === "object" && e.body !== null ? e.body : {}) as {
    category?: unknown;
    errors?: { context?: Record<string, unknown> }[];
  };
  const category = typeof body.category === "string" ? body.category : undefined;
  if (e.code === 403 && !(category && TOKEN_403_CATEGORIES.has(category))) return undefined;
  const scopes = (Array.isArray(body.errors) ? body.errors : [])
    .flatMap((err) => {
      const context = err?.context ?? {};
      return [context.requiredScopes, context.requiredGranularScopes].flatMap((v) =>
        Array.isArray(v) ? v : [],
      );
    })
    .filter((scope): scope is string => typeof scope === "string");
  const what = `${e.code}${category ? ` ${category}` : ""}`;
  return e.code === 401
    ? `HubSpot refused Leadbridge's token (${what}): the private app's access token (HUBSPOT_ACCESS_TOKEN) is revoked, rotated or wrong`
    : `HubSpot refused Leadbridge's token (${what}): the private app lacks a scope this call needs${
        scopes.length ? ` (${[...new Set(scopes)].join(", ").slice(0, 200)})` : ""
      }`;
}
