import type { Connection } from "jsforce";
import { z } from "zod";
import { type Routing, routingUserIds } from "../contracts/routing";
import { hasValidChecksum } from "./ids";
import { inQueries } from "./soql-in";

// The Users a routing names, as Salesforce knows them: what the admin API checks a routing
// against (workers/admin/routing-check.ts) and who assignment counts as active
// (workers/handoff/routing-users.ts).

const SalesforceUserRowSchema = z.object({
  Id: z.string(),
  Name: z.string().nullable(),
  IsActive: z.boolean(),
});
export type SalesforceUserRow = z.infer<typeof SalesforceUserRowSchema>;

/**
 * The Users a routing names, in one SOQL query (more only past a few hundred ids, where one
 * request URI would pass Salesforce's limit: soql-in.ts). Ids with a wrong checksum are left out:
 * Salesforce would refuse the whole query for one of them (the admin API names them).
 */
export async function readRoutingUsers(
  conn: Connection,
  routing: Routing,
): Promise<SalesforceUserRow[]> {
  const ids = routingUserIds(routing).filter(hasValidChecksum);
  const rows: SalesforceUserRow[] = [];
  for (const soql of inQueries("SELECT Id, Name, IsActive FROM User WHERE Id IN", ids)) {
    const { records } = await conn.query<Record<string, unknown>>(soql, { autoFetch: true });
    rows.push(...records.map((r) => SalesforceUserRowSchema.parse(r)));
  }
  return rows;
}
