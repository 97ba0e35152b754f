const HEADROOM_KEY = "hubspot:ratelimit";

/** HubSpot's rate-limit headers as last seen by a Leadbridge call. */
export interface HubSpotHeadroom {
  remaining: number | null;
  max: number | null;
  intervalMs: number | null;
  dailyRemaining: number | null;
  daily: number | null;
  at: number;
}

const num = (value: string | null | undefined) =>
  value == null || value === "" || !Number.isFinite(Number(value)) ? null : Number(value);

/** Reads the X-HubSpot-RateLimit-* headers; null when the response carried none. */
export function headroomFrom(
  headers: { get(name: string): string | null },
  at = Date.now(),
): HubSpotHeadroom | null {
  const value: HubSpotHeadroom = {
    remaining: num(headers.get("x-hubspot-ratelimit-remaining")),
    max: num(headers.get("x-hubspot-ratelimit-max")),
    intervalMs: num(headers.get("x-hubspot-ratelimit-interval-milliseconds")),
    dailyRemaining: num(headers.get("x-hubspot-ratelimit-daily-remaining")),
    daily: num(headers.get("x-hubspot-ratelimit-daily")),
    at,
  };
  return value.remaining === null && value.dailyRemaining === null ? null : value;
}

/**
 * Best effort, like the Salesforce usage: a missed write only makes the sync-health figure older.
 */
export async function recordHeadroom(
  kv: KVNamespace,
  headroom: HubSpotHeadroom | null,
): Promise<void> {
  if (headroom)
    await kv
      .put(HEADROOM_KEY, JSON.stringify(headroom), { expirationTtl: 24 * 60 * 60 })
      .catch(() => {});
}

export const readHeadroom = (kv: KVNamespace) => kv.get<HubSpotHeadroom>(HEADROOM_KEY, "json");
