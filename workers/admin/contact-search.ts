import { z } from "zod";
import type { BACKFILL_PROPERTIES } from "../../shared/contracts/admin";
import type { HubSpot } from "../../shared/hubspot/apis";
import { type HubSpotHeadroom, headroomFrom } from "../../shared/hubspot/headroom";
import { withHubSpotRetry } from "../../shared/hubspot/retry";

export interface SearchQuery {
  property: (typeof BACKFILL_PROPERTIES)[number];
  fromTs: number;
  untilTs: number;
  after?: string;
  limit: number;
  /** Properties to return beside `property` (HubSpot returns those asked for). */
  properties?: readonly string[];
  /** Newest first (the walk from the range's end), instead of oldest first. */
  descending?: boolean;
}

export interface SearchPage {
  total: number;
  /** Each contact's timestamp and every property asked for (null when unset). */
  contacts: { id: string; ts: number; properties: Record<string, string | null> }[];
  nextAfter?: string;
  headroom: HubSpotHeadroom | null;
}

const SearchResponseSchema = z.object({
  total: z.number().int().nonnegative(),
  results: z.array(
    z.object({ id: z.string(), properties: z.record(z.string(), z.string().nullable()) }),
  ),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

/** Epoch ms of a HubSpot datetime property (ISO in answers, epoch ms in some). */
export const epochMs = (value: string | null | undefined): number =>
  value && /^\d+$/.test(value) ? Number(value) : Date.parse(value ?? "");

/**
 * One page of contacts whose `property` is in [fromTs, untilTs], oldest first (newest first when
 * `descending`). 429s are waited out by withHubSpotRetry.
 */
export async function searchContacts(hubspot: HubSpot, q: SearchQuery): Promise<SearchPage> {
  const body = {
    filterGroups: [
      {
        filters: [
          { propertyName: q.property, operator: "GTE", value: String(q.fromTs) },
          { propertyName: q.property, operator: "LTE", value: String(q.untilTs) },
        ],
      },
    ],
    sorts: [{ propertyName: q.property, direction: q.descending ? "DESCENDING" : "ASCENDING" }],
    properties: [...new Set([q.property, ...(q.properties ?? [])])],
    limit: q.limit,
    ...(q.after ? { after: q.after } : {}),
  };
  const res = await withHubSpotRetry(async () => {
    const response = await hubspot.apiRequest({
      method: "POST",
      path: "/crm/v3/objects/contacts/search",
      body,
    });
    if (!response.ok) {
      // The shape withHubSpotRetry reads from the SDK's own errors.
      throw Object.assign(new Error(`HubSpot search answered ${response.status}`), {
        code: response.status,
        headers: Object.fromEntries(response.headers.entries()),
      });
    }
    return response;
  });
  const parsed = SearchResponseSchema.parse(await res.json());
  return {
    total: parsed.total,
    contacts: parsed.results.map((r) => ({
      id: r.id,
      ts: epochMs(r.properties[q.property]),
      properties: Object.fromEntries(
        body.properties.map((p) => [p, r.properties[p] ?? null] as const),
      ),
    })),
    nextAfter: parsed.paging?.next?.after,
    headroom: headroomFrom(res.headers),
  };
}
