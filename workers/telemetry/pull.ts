import type { Connection } from "jsforce";
import type { z } from "zod";
import { utcDay } from "../../shared/days";
import type { Logger } from "../../shared/log";
import { pageChanges } from "./mirror-changes";
import {
  ConvertedLeadSchema,
  convertedDay,
  HistorySchema,
  OpportunitySchema,
  type SfConvertedLead,
  StageSchema,
  sfTime,
  UserSchema,
  upsertConversion,
  upsertHistory,
  upsertOpportunity,
  upsertStage,
  upsertUser,
} from "./sf-records";

// The incremental Salesforce pull: per object, rows changed since its cursor, page by page,
// the cursor saved after each page so a run cut short resumes where it stopped.

interface PullSpec<S extends z.ZodType> {
  object: string;
  cursorField: "SystemModstamp" | "CreatedDate";
  fields: string;
  /** Extra SOQL conditions, ANDed. */
  where?: string;
  schema: S;
  store(db: D1Database, row: z.infer<S>): D1PreparedStatement;
}

const SPECS = [
  {
    object: "OpportunityStage",
    cursorField: "SystemModstamp",
    fields: "ApiName, IsActive, IsClosed, IsWon, SortOrder, SystemModstamp",
    schema: StageSchema,
    store: upsertStage,
  },
  {
    object: "User",
    cursorField: "SystemModstamp",
    fields: "Id, Username, Name, IsActive, Start_Date__c, SystemModstamp",
    schema: UserSchema,
    store: upsertUser,
  },
  {
    object: "Opportunity",
    cursorField: "SystemModstamp",
    fields:
      "Id, OwnerId, StageName, Amount, LeadSource, IsClosed, IsWon, CreatedDate, SystemModstamp",
    schema: OpportunitySchema,
    store: upsertOpportunity,
  },
  // History rows never change once written, so their creation time is the cursor.
  {
    object: "OpportunityHistory",
    cursorField: "CreatedDate",
    fields: "Id, OpportunityId, StageName, CreatedDate",
    schema: HistorySchema,
    store: upsertHistory,
  },
  {
    object: "Lead",
    cursorField: "SystemModstamp",
    fields:
      "Id, HubSpot_Contact_Id__c, ConvertedOpportunityId, ConvertedDate, LeadSource, SystemModstamp",
    where: "IsConverted = true AND ConvertedOpportunityId != null",
    schema: ConvertedLeadSchema,
    store: upsertConversion,
  },
] as const satisfies readonly PullSpec<z.ZodType>[];

/** A night's pull stops after this many pages per object; the cursor makes the next night go on. */
export const MAX_PAGES_PER_OBJECT = 25;
const EPOCH = "1970-01-01T00:00:00Z";

export interface PullResult {
  rows: Record<string, number>;
  /** Opportunities whose row or history changed: their closing day must be worked out again. */
  touchedOpportunities: Set<string>;
  /** Days whose Salesforce aggregates the pulled rows change. */
  dirtyDays: Set<string>;
  complete: boolean;
}

export async function pullSalesforce(
  conn: Connection,
  db: D1Database,
  log: Logger,
  now = Date.now(),
): Promise<PullResult> {
  const result: PullResult = {
    rows: {},
    touchedOpportunities: new Set(),
    dirtyDays: new Set(),
    complete: true,
  };
  for (const spec of SPECS as readonly PullSpec<z.ZodType>[]) {
    const cursorRow = await db
      .prepare("SELECT cursor FROM sf_cursors WHERE object = ?")
      .bind(spec.object)
      .first<{ cursor: string }>();
    let cursor = cursorRow?.cursor ?? EPOCH;
    // >= rather than >: rows stamped in the same millisecond as the cursor but committed after the
    // last pull are not lost; upserts make the repeats harmless.
    const where = [`${spec.cursorField} >= ${cursor}`, spec.where].filter(Boolean).join(" AND ");
    const soql = `SELECT ${spec.fields} FROM ${spec.object} WHERE ${where} ORDER BY ${spec.cursorField} ASC`;
    let page = await conn.query<Record<string, unknown>>(soql);
    let pages = 0;
    let count = 0;
    for (;;) {
      pages++;
      const rows = page.records.map((r) => spec.schema.parse(r) as Record<string, unknown>);
      const changes = await pageChanges(db, spec.object, rows);
      for (const row of changes.changed) noteChange(spec.object, row, result, changes.recounted);
      for (const row of rows) {
        const stamp = String(row[spec.cursorField]);
        if (sfTime(stamp) > Date.parse(cursor)) cursor = soqlDateTime(sfTime(stamp));
      }
      const statements = rows.map((row) => spec.store(db, row));
      statements.push(
        db
          .prepare(
            "INSERT INTO sf_cursors (object, cursor, updated_at) VALUES (?, ?, ?) ON CONFLICT (object) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at",
          )
          .bind(spec.object, cursor, now),
      );
      await db.batch(statements);
      count += rows.length;
      if (page.done || !page.nextRecordsUrl) break;
      if (pages >= MAX_PAGES_PER_OBJECT) {
        result.complete = false;
        break;
      }
      page = await conn.queryMore<Record<string, unknown>>(page.nextRecordsUrl);
    }
    result.rows[spec.object] = count;
    log.info("telemetry_pulled", { object: spec.object, rows: count, pages });
  }
  return result;
}

/**
 * SOQL datetime literals have no fraction of a second: round down, the >= takes care of the rest.
 */
function soqlDateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * A changed row's deal needs its closing worked out again; the days whose counts it moves are
 * rebuilt.
 */
function noteChange(
  object: string,
  row: Record<string, unknown>,
  result: PullResult,
  recounted: Set<string>,
): void {
  if (object === "Opportunity") {
    result.touchedOpportunities.add(String(row.Id));
    if (recounted.has(String(row.Id)))
      result.dirtyDays.add(utcDay(sfTime(String(row.CreatedDate))));
  } else if (object === "OpportunityHistory") {
    result.touchedOpportunities.add(String(row.OpportunityId));
    result.dirtyDays.add(utcDay(sfTime(String(row.CreatedDate))));
  } else if (object === "Lead") {
    result.dirtyDays.add(convertedDay(row as SfConvertedLead));
  }
}
