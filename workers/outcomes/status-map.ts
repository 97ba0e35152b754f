import {
  DEFAULT_LEAD_STATUS_MAP,
  LeadStatusMapSchema,
  type LeadStatusMeaning,
} from "../../shared/contracts/sales";

export type LeadStatusMap = Record<string, LeadStatusMeaning>;

/**
 * The Lead status map in force: the default, with telemetry_config `lead_status_map` laid over it
 * (an org adds its own statuses or gives a default one another meaning).
 */
export async function readLeadStatusMap(db: D1Database): Promise<LeadStatusMap> {
  const row = await db
    .prepare("SELECT value FROM telemetry_config WHERE key = 'lead_status_map'")
    .first<{ value: string }>();
  if (!row) return DEFAULT_LEAD_STATUS_MAP;
  return { ...DEFAULT_LEAD_STATUS_MAP, ...LeadStatusMapSchema.parse(JSON.parse(row.value)) };
}

/**
 * What a Lead status means. A status the map does not know counts as accepted: sales moved the
 * Lead out of its open status. A Lead without a status is open.
 */
export function statusMeaning(status: string | null, map: LeadStatusMap): LeadStatusMeaning {
  if (status === null || status === "") return "open";
  return map[status] ?? "accepted";
}
