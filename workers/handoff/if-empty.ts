import type { Connection } from "jsforce";
import type { Mapping } from "../../shared/contracts/mapping";
import { inQueries } from "../../shared/salesforce/soql-in";
import type { SalesforceLead } from "./lead-mapping";

/** The fields a mapping writes only while Salesforce's value is empty (policy if_empty). */
export const ifEmptyFields = (mapping: Mapping): string[] =>
  mapping.fields.filter((f) => f.policy === "if_empty").map((f) => f.field);

/**
 * Updates of Leads Leadbridge already holds, each without the if_empty fields Salesforce already
 * has a value for: sales' own value is never overwritten. One SOQL query per few hundred Leads
 * (soql-in.ts), only when the mapping has such fields. Keyed by Lead id; leads not found in
 * Salesforce are left whole (the upsert settles them).
 */
export async function withoutSalesValues(
  conn: Connection,
  updates: { leadId: string; lead: SalesforceLead }[],
  mapping: Mapping,
): Promise<Map<string, SalesforceLead>> {
  const fields = ifEmptyFields(mapping);
  const out = new Map(updates.map((u) => [u.leadId, u.lead]));
  if (!fields.length || !updates.length) return out;
  const filled = new Map<string, Set<string>>();
  for (const soql of inQueries(
    `SELECT Id, ${fields.join(", ")} FROM Lead WHERE Id IN`,
    updates.map((u) => u.leadId),
  )) {
    const page = await conn.query<Record<string, unknown>>(soql);
    for (const record of page.records) {
      const id = String(record.Id);
      filled.set(
        id,
        new Set(
          fields.filter((f) => record[f] !== null && record[f] !== undefined && record[f] !== ""),
        ),
      );
    }
  }
  for (const { leadId, lead } of updates) {
    const keep = filled.get(leadId);
    if (!keep?.size) continue;
    out.set(
      leadId,
      Object.fromEntries(Object.entries(lead).filter(([k]) => !keep.has(k))) as SalesforceLead,
    );
  }
  return out;
}
