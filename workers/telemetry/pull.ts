import type { Connection } from "jsforce";
import type { z } from "zod";
import { utcDay } from "../../shared/days";
import type { Logger } from "../../shared/log";
import { type LeadStatusMap, statusMeaning } from "../outcomes/status-map";
import {
  FEATURE_REQUEST_FIELDS,
  FeatureRequestSchema,
  upsertFeatureRequests,
} from "./feature-requests";
import { type PageChanges, pageChanges } from "./mirror-changes";
import {
  convertedDay,
  HistorySchema,
  leadSchema,
  OpportunitySchema,
  type SfLead,
  StageSchema,
  sfTime,
  UserSchema,
  upsertConversions,
  upsertHistories,
  upsertOpportunities,
  upsertSfLeads,
  upsertStages,
  upsertUsers,
} from "./sf-records";

// The incremental Salesforce pull: per object, rows changed since its cursor, page by page. Each
// page's rows, its cursor and what it leaves to do (sf_pending) are saved in one transaction, so a
// run cut short resumes where it stopped and nothing a page changed is forgotten.

export const PULLED_OBJECTS = [
  "OpportunityStage",
  "User",
  "Opportunity",
  "OpportunityHistory",
  "Lead",
  "Feature_Request__c",
] as const;
export type PulledObject = (typeof PULLED_OBJECTS)[number];

/** What the 5-minute outcome sync pulls; the nightly pulls every object. */
export const OUTCOME_OBJECTS = ["Lead", "Opportunity"] as const satisfies readonly PulledObject[];

/** Work a pulled page leaves for later (sf_pending kinds; see migration 0010). */
export type PendingKind = "day" | "opportunity" | "outcome_lead" | "outcome_opportunity";
export type PendingMark = [kind: PendingKind, key: string];

interface PullSpec<S extends z.ZodType> {
  object: PulledObject;
  cursorField: "SystemModstamp" | "CreatedDate";
  fields: string;
  /** Extra SOQL conditions, ANDed. */
  where?: string;
  schema: S;
  /** A page's rows into the mirror, in a few statements whatever the page's size. */
  store(db: D1Database, rows: z.infer<S>[]): D1PreparedStatement[];
  /** A custom field the org may not have added; `without()` is the spec that leaves it out. */
  optionalField?: string;
  without?: () => PullSpec<z.ZodType>;
  /** A custom object the org may not have installed: its absence is a warning, not a failure. */
  optionalObject?: boolean;
}

export interface PullOptions {
  /** The objects to pull, in the order given by PULLED_OBJECTS; every one by default. */
  objects?: readonly PulledObject[];
  /** The Lead field sales' refusal reason is read from (SALESFORCE_DISQUALIFICATION_FIELD). */
  disqualificationField: string;
  /** Which Lead statuses are open: a Lead first seen out of one was touched by sales. */
  statusMap: LeadStatusMap;
  now?: number;
}

/** A spec typed by its own schema, listed with the others. */
const spec = <S extends z.ZodType>(s: PullSpec<S>) => s as unknown as PullSpec<z.ZodType>;

function specs(options: PullOptions): PullSpec<z.ZodType>[] {
  const all = [
    spec({
      object: "OpportunityStage",
      cursorField: "SystemModstamp",
      fields: "ApiName, IsActive, IsClosed, IsWon, SortOrder, SystemModstamp",
      schema: StageSchema,
      store: upsertStages,
    }),
    spec({
      object: "User",
      cursorField: "SystemModstamp",
      fields: "Id, Username, Name, IsActive, Start_Date__c, SystemModstamp",
      schema: UserSchema,
      store: upsertUsers,
    }),
    spec({
      object: "Opportunity",
      cursorField: "SystemModstamp",
      fields:
        "Id, OwnerId, StageName, Amount, LeadSource, IsClosed, IsWon, CreatedDate, SystemModstamp",
      schema: OpportunitySchema,
      store: upsertOpportunities,
    }),
    // History rows never change once written, so their creation time is the cursor.
    spec({
      object: "OpportunityHistory",
      cursorField: "CreatedDate",
      fields: "Id, OpportunityId, StageName, CreatedDate",
      schema: HistorySchema,
      store: upsertHistories,
    }),
    leadSpec(options, options.disqualificationField),
    // Customers' requests for the requirement pool (docs/requirements.md).
    spec({
      object: "Feature_Request__c",
      cursorField: "SystemModstamp",
      fields: FEATURE_REQUEST_FIELDS,
      schema: FeatureRequestSchema,
      store: upsertFeatureRequests,
      optionalObject: true,
    }),
  ];
  const wanted = new Set<PulledObject>(options.objects ?? PULLED_OBJECTS);
  return all.filter((spec) => wanted.has(spec.object));
}

/**
 * Every Lead Leadbridge handed off, converted or not (sales' verdict), and every converted Lead
 * with an opportunity, whoever made it (the nightly's conversions, counted as before). An org
 * without the reason field is still pulled, without it.
 */
function leadSpec(options: PullOptions, reasonField: string | null): PullSpec<z.ZodType> {
  return spec({
    object: "Lead",
    cursorField: "SystemModstamp",
    fields: `Id, HubSpot_Contact_Id__c, Status, ${reasonField ? `${reasonField}, ` : ""}IsConverted, ConvertedContactId, ConvertedAccountId, ConvertedOpportunityId, ConvertedDate, LeadSource, SystemModstamp`,
    where:
      "(HubSpot_Contact_Id__c != null OR (IsConverted = true AND ConvertedOpportunityId != null))",
    schema: leadSchema(reasonField),
    store: (db, leads: SfLead[]) => {
      const open = (lead: SfLead) =>
        !lead.IsConverted && statusMeaning(lead.Status, options.statusMap) === "open";
      return [
        ...upsertSfLeads(
          db,
          leads
            .filter((lead) => lead.HubSpot_Contact_Id__c)
            .map((lead) => ({
              lead,
              touchedAt: open(lead) ? null : sfTime(lead.SystemModstamp),
            })),
        ),
        ...upsertConversions(db, leads.filter(isCountedConversion)),
      ];
    },
    ...(reasonField ? { optionalField: reasonField, without: () => leadSpec(options, null) } : {}),
  });
}

/** A conversion the nightly counts: a converted Lead with an opportunity. */
export function isCountedConversion(lead: SfLead): boolean {
  return lead.IsConverted && lead.ConvertedOpportunityId !== null;
}

/** A night's pull stops after this many pages per object; the cursor makes the next night go on. */
export const MAX_PAGES_PER_OBJECT = 25;
const EPOCH = "1970-01-01T00:00:00Z";

export interface PullResult {
  rows: Record<string, number>;
  /** SOQL pages read per object (a query or a queryMore each). */
  pages: Record<string, number>;
  complete: boolean;
}

export async function pullSalesforce(
  conn: Connection,
  db: D1Database,
  log: Logger,
  options: PullOptions,
): Promise<PullResult> {
  const now = options.now ?? Date.now();
  const result: PullResult = {
    rows: {},
    pages: {},
    complete: true,
  };
  for (let spec of specs(options)) {
    const cursorRow = await db
      .prepare("SELECT cursor FROM sf_cursors WHERE object = ?")
      .bind(spec.object)
      .first<{ cursor: string }>();
    let cursor = cursorRow?.cursor ?? EPOCH;
    const first = await firstPage(conn, spec, cursor, log);
    if (!first) {
      result.rows[spec.object] = 0;
      result.pages[spec.object] = 1;
      continue;
    }
    spec = first.spec;
    let page = first.page;
    let pages = 0;
    let count = 0;
    for (;;) {
      pages++;
      const rows = page.records.map((r) => spec.schema.parse(r) as Record<string, unknown>);
      const marks = pendingMarks(spec.object, await pageChanges(db, spec.object, rows));
      for (const row of rows) {
        const stamp = String(row[spec.cursorField]);
        if (sfTime(stamp) > Date.parse(cursor)) cursor = soqlDateTime(sfTime(stamp));
      }
      const statements = spec.store(db, rows);
      // Marked at the page's own time: a consumer that read a mark before this page landed keeps it.
      statements.push(...markPending(db, marks, Date.now()));
      // MAX: a pull that started earlier and ends later never moves a cursor back.
      statements.push(
        db
          .prepare(
            "INSERT INTO sf_cursors (object, cursor, updated_at) VALUES (?, ?, ?) ON CONFLICT (object) DO UPDATE SET cursor = MAX(sf_cursors.cursor, excluded.cursor), updated_at = excluded.updated_at",
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
    result.pages[spec.object] = pages;
    log.info("salesforce_pulled", { object: spec.object, rows: count, pages });
  }
  return result;
}

function soqlFor(spec: PullSpec<z.ZodType>, cursor: string): string {
  // >= rather than >: rows stamped in the same millisecond as the cursor but committed after the
  // last pull are not lost; upserts make the repeats harmless.
  const where = [`${spec.cursorField} >= ${cursor}`, spec.where].filter(Boolean).join(" AND ");
  return `SELECT ${spec.fields} FROM ${spec.object} WHERE ${where} ORDER BY ${spec.cursorField} ASC`;
}

/**
 * The first page; a query refused for a missing optional field is asked again without it, one for
 * a missing optional object is null (nothing to pull).
 */
async function firstPage(
  conn: Connection,
  spec: PullSpec<z.ZodType>,
  cursor: string,
  log: Logger,
): Promise<{ spec: PullSpec<z.ZodType>; page: QueryPage } | null> {
  try {
    return { spec, page: await conn.query<Record<string, unknown>>(soqlFor(spec, cursor)) };
  } catch (err) {
    const e = err as { errorCode?: string; name?: string; message?: string };
    if (spec.optionalObject && (e.errorCode ?? e.name) === "INVALID_TYPE") {
      log.warn("salesforce_object_missing", { object: spec.object });
      return null;
    }
    const missing =
      spec.optionalField !== undefined &&
      (e.errorCode ?? e.name) === "INVALID_FIELD" &&
      (e.message ?? "").includes(spec.optionalField);
    if (!missing || !spec.without) throw err;
    log.warn("salesforce_field_missing", { object: spec.object, field: spec.optionalField });
    const without = spec.without();
    return {
      spec: without,
      page: await conn.query<Record<string, unknown>>(soqlFor(without, cursor)),
    };
  }
}
type QueryPage = Awaited<ReturnType<Connection["query"]>> & { records: Record<string, unknown>[] };

/**
 * SOQL datetime literals have no fraction of a second: round down, the >= takes care of the rest.
 */
function soqlDateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * What a page leaves to do: a changed deal needs its closing worked out again, the days whose
 * counts it moves are rebuilt, and a changed Lead or deal has its sales outcome derived again.
 */
export function pendingMarks(object: PulledObject, changes: PageChanges): PendingMark[] {
  const marks: PendingMark[] = [];
  for (const row of changes.changed) {
    if (object === "Opportunity") {
      marks.push(["opportunity", String(row.Id)], ["outcome_opportunity", String(row.Id)]);
      if (changes.recounted.has(String(row.Id)))
        marks.push(["day", utcDay(sfTime(String(row.CreatedDate)))]);
    } else if (object === "OpportunityHistory") {
      marks.push(
        ["opportunity", String(row.OpportunityId)],
        ["day", utcDay(sfTime(String(row.CreatedDate)))],
      );
    } else if (object === "Lead") {
      marks.push(["day", convertedDay(row as unknown as SfLead)]);
    }
  }
  for (const id of changes.outcomes ?? []) marks.push(["outcome_lead", id]);
  return marks;
}

export function markPending(
  db: D1Database,
  marks: PendingMark[],
  now: number,
): D1PreparedStatement[] {
  if (!marks.length) return [];
  return [
    db
      .prepare(
        `INSERT INTO sf_pending (kind, key, at)
         SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), ? FROM json_each(?) WHERE true
         ON CONFLICT (kind, key) DO UPDATE SET at = MAX(sf_pending.at, excluded.at)`,
      )
      .bind(now, JSON.stringify(marks)),
  ];
}
