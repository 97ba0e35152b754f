import { entryOf } from "../common/map-entry";
import { IdFactory } from "./ids";
import { DEFAULT_STAGES, OBJECTS, PERSON_OBJECTS } from "./schema";

// In-memory org data. Values are kept JSON-ready, the way the REST API prints them:
// datetimes as "2024-05-01T12:34:56.000+0000", dates as "2024-05-01".

export type SfValue = string | number | boolean | null;
export type SfRecord = Record<string, SfValue>;

// Salesforce keeps datetimes to the second, so the milliseconds always print as .000.
export const sfDateTime = (ms: number) =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace("Z", "+0000");
export const sfDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const sfTimeMs = (value: SfValue | undefined) =>
  typeof value === "string" ? Date.parse(value.replace(/\+0000$/, "Z")) : NaN;

const HISTORY_TRACKED = ["StageName", "Amount", "CloseDate", "Probability"] as const;

/**
 * Fields looked up by value on every write (external ids, the duplicate rule's Email), kept
 * indexed.
 */
const INDEXED: Record<string, string[]> = Object.fromEntries(
  OBJECTS.map((o) => [
    o.name,
    o.fields
      .filter((f) => f.externalId)
      .map((f) => f.name)
      .concat(o.name === "Lead" ? ["Email"] : []),
  ]),
);

const indexKey = (value: SfValue | undefined) =>
  typeof value === "string" ? value.toLowerCase() : undefined;

export interface WriteMeta {
  at?: number;
  by?: string;
  /** A record that keeps its Id across resets (the Organization row: the org stays the org). */
  id?: string;
}

/** A record in a sorted view: its datetime, its place in the table, the record. */
interface SortedEntry {
  at: number;
  pos: number;
  record: SfRecord;
}

export class Store {
  readonly ids = new IdFactory();
  orgId = "";
  integrationUserId = "";
  private tables = new Map<string, Map<string, SfRecord>>();
  /** "Type.Field" → lower-cased value → ids of live records holding it. */
  private indexes = new Map<string, Map<string, Set<string>>>();
  private journal: Map<string, { type: string; id: string; before: SfRecord | null }> | null = null;
  /**
   * type → datetime field → rows sorted by it (with their place in the table); dropped on any
   * write to the type.
   */
  private sortedViews = new Map<string, Map<string, SortedEntry[]>>();

  constructor() {
    this.orgId = this.ids.make("00D");
    this.reset();
  }

  /**
   * Empties the org but keeps what every org has: its Organization row, the integration user and
   * the default stages.
   */
  reset(): void {
    this.tables = new Map(OBJECTS.map((o) => [o.name, new Map()]));
    this.indexes.clear();
    this.sortedViews.clear();
    this.journal = null;
    this.integrationUserId = "";
    const now = Date.now();
    this.integrationUserId = this.insert(
      "User",
      {
        Username: "integration@leadbridge.sandbox",
        FirstName: "Integration",
        LastName: "User",
        Email: "integration@leadbridge.sandbox",
        Alias: "integ",
        IsActive: true,
        Start_Date__c: null,
        Title: null,
      },
      { at: now - 365 * 86_400_000 },
    ).Id as string;
    this.insert(
      "Organization",
      {
        Name: "Leadbridge Sandbox",
        Country: "US",
        TimeZoneSidKey: "America/Los_Angeles",
        DefaultLocaleSidKey: "en_US",
        LanguageLocaleKey: "en_US",
        OrganizationType: "Developer Edition",
        IsSandbox: false,
        InstanceName: "NA1",
        FiscalYearStartMonth: 1,
      },
      { at: now - 365 * 86_400_000, id: this.orgId },
    );
    DEFAULT_STAGES.forEach((stage, index) => {
      this.insert("OpportunityStage", {
        MasterLabel: stage.name,
        ApiName: stage.name,
        IsActive: true,
        IsClosed: stage.closed,
        IsWon: stage.won,
        DefaultProbability: stage.probability,
        SortOrder: index + 1,
        ForecastCategoryName: stage.forecast,
        Description: null,
      });
    });
  }

  private table(type: string): Map<string, SfRecord> {
    const table = this.tables.get(type);
    if (!table) throw new Error(`unknown sObject ${type}`);
    return table;
  }

  get(type: string, id: string): SfRecord | undefined {
    return this.table(type).get(id);
  }

  /** Records not in the recycle bin (what `query` sees); `queryAll` passes includeDeleted. */
  list(type: string, includeDeleted = false): SfRecord[] {
    const rows = [...this.table(type).values()];
    return includeDeleted ? rows : rows.filter((r) => r.IsDeleted !== true);
  }

  /**
   * Records whose datetime `field` is at or after `from` (ms), in table order like `list`.
   * Salesforce answers SystemModstamp and CreatedDate ranges from indexes; so does this, from a
   * sorted view built on first use after a write, so a nightly "what changed since" query
   * costs what changed, not the whole table.
   */
  listSince(type: string, field: string, from: number, includeDeleted = false): SfRecord[] {
    const views = entryOf(this.sortedViews, type, () => new Map<string, SortedEntry[]>());
    let view = views.get(field);
    if (!view) {
      view = [...this.table(type).values()]
        .map((record, pos) => ({ at: sfTimeMs(record[field]), pos, record }))
        .filter((e) => !Number.isNaN(e.at))
        .sort((a, b) => a.at - b.at);
      views.set(field, view);
    }
    let lo = 0;
    let hi = view.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (view[mid]!.at < from) lo = mid + 1;
      else hi = mid;
    }
    return view
      .slice(lo)
      .filter((e) => includeDeleted || e.record.IsDeleted !== true)
      .sort((a, b) => a.pos - b.pos)
      .map((e) => e.record);
  }

  /** Live records whose indexed field equals `value`, case-insensitively. */
  findBy(type: string, field: string, value: string): SfRecord[] {
    const ids = this.indexes.get(`${type}.${field}`)?.get(value.toLowerCase()) ?? new Set<string>();
    return [...ids]
      .map((id) => this.table(type).get(id))
      .filter((r): r is SfRecord => r !== undefined);
  }

  isIndexed(type: string, field: string): boolean {
    return INDEXED[type]?.includes(field) ?? false;
  }

  private index(type: string, record: SfRecord, add: boolean): void {
    for (const field of INDEXED[type] ?? []) {
      const key = indexKey(record[field]);
      if (key === undefined) continue;
      const name = `${type}.${field}`;
      const ids = entryOf(
        entryOf(this.indexes, name, () => new Map()),
        key,
        () => new Set<string>(),
      );
      if (add) ids.add(record.Id as string);
      else ids.delete(record.Id as string);
    }
  }

  stage(name: unknown): SfRecord | undefined {
    return this.list("OpportunityStage").find((s) => s.ApiName === name);
  }

  insert(type: string, fields: SfRecord, meta: WriteMeta = {}): SfRecord {
    const def = OBJECTS.find((o) => o.name === type)!;
    const at = meta.at ?? Date.now();
    const by = meta.by ?? this.integrationUserId;
    const record: SfRecord = {};
    for (const f of def.fields) record[f.name] = null;
    Object.assign(record, fields, { Id: meta.id ?? this.ids.make(def.keyPrefix) });
    if (def.byName.has("isdeleted")) record.IsDeleted = false;
    stamp(record, at, by, true);
    // The first user in an org is created by itself.
    if (by === "" && type === "User")
      record.CreatedById = record.LastModifiedById = record.Id ?? null;
    this.derive(type, record, fields);
    this.remember(type, record.Id as string);
    this.table(type).set(record.Id as string, record);
    this.sortedViews.delete(type);
    this.index(type, record, true);
    if (type === "Opportunity") this.writeHistory(record, at, by);
    return record;
  }

  patch(type: string, id: string, fields: SfRecord, meta: WriteMeta = {}): SfRecord {
    const record = this.table(type).get(id);
    if (!record) throw new Error(`no ${type} ${id}`);
    const at = meta.at ?? Date.now();
    this.remember(type, id);
    const before = { ...record };
    this.sortedViews.delete(type);
    this.index(type, record, false);
    Object.assign(record, fields);
    this.index(type, record, true);
    stamp(record, at, meta.by ?? this.integrationUserId, false);
    this.derive(type, record, fields);
    if (type === "Opportunity" && HISTORY_TRACKED.some((f) => before[f] !== record[f])) {
      this.writeHistory(record, at, meta.by ?? this.integrationUserId);
    }
    return record;
  }

  softDelete(type: string, id: string): void {
    const record = this.table(type).get(id);
    if (!record) return;
    this.remember(type, id);
    this.sortedViews.delete(type);
    this.sortedViews.delete("OpportunityHistory");
    this.index(type, record, false);
    record.IsDeleted = true;
    record.SystemModstamp = sfDateTime(Date.now());
    if (type === "Opportunity") {
      for (const row of this.list("OpportunityHistory")) {
        if (row.OpportunityId !== id) continue;
        this.remember("OpportunityHistory", row.Id as string);
        row.IsDeleted = true;
      }
    }
  }

  /** Starts remembering the prior state of every touched row, for an allOrNone rollback. */
  begin(): void {
    this.journal = new Map();
  }

  commit(): void {
    this.journal = null;
  }

  rollback(): void {
    this.sortedViews.clear();
    for (const { type, id, before } of [...(this.journal?.values() ?? [])].reverse()) {
      const table = this.table(type);
      const current = table.get(id);
      if (current) this.index(type, current, false);
      if (before) {
        table.set(id, before);
        if (before.IsDeleted !== true) this.index(type, before, true);
      } else {
        table.delete(id);
      }
    }
    this.journal = null;
  }

  private remember(type: string, id: string): void {
    const key = `${type}:${id}`;
    if (!this.journal || this.journal.has(key)) return;
    const current = this.table(type).get(id);
    this.journal.set(key, { type, id, before: current ? { ...current } : null });
  }

  /** Fields Salesforce computes: person Name, and an Opportunity's stage-driven flags. */
  private derive(type: string, record: SfRecord, written: SfRecord): void {
    if (PERSON_OBJECTS.has(type)) {
      record.Name = [record.FirstName, record.LastName]
        .filter((p) => typeof p === "string" && p)
        .join(" ");
    }
    if (type === "Opportunity") {
      const stage = this.stage(record.StageName);
      if (!stage) return;
      record.IsClosed = stage.IsClosed ?? false;
      record.IsWon = stage.IsWon ?? false;
      record.ForecastCategoryName = stage.ForecastCategoryName ?? null;
      // A stage change resets Probability to the stage default unless the caller set it too.
      if ("StageName" in written && !("Probability" in written))
        record.Probability = stage.DefaultProbability ?? null;
    }
  }

  private writeHistory(opportunity: SfRecord, at: number, by: string): void {
    const def = OBJECTS.find((o) => o.name === "OpportunityHistory")!;
    const row: SfRecord = {
      Id: this.ids.make(def.keyPrefix),
      IsDeleted: false,
      OpportunityId: opportunity.Id ?? null,
      StageName: opportunity.StageName ?? null,
      Amount: opportunity.Amount ?? null,
      CloseDate: opportunity.CloseDate ?? null,
      Probability: opportunity.Probability ?? null,
      ForecastCategory: opportunity.ForecastCategoryName ?? null,
    };
    stamp(row, at, by, true);
    delete row.LastModifiedDate;
    delete row.LastModifiedById;
    this.remember("OpportunityHistory", row.Id as string);
    this.table("OpportunityHistory").set(row.Id as string, row);
    this.sortedViews.delete("OpportunityHistory");
  }
}

function stamp(record: SfRecord, at: number, by: string, created: boolean): void {
  const when = sfDateTime(at);
  if (created) {
    record.CreatedDate = when;
    record.CreatedById = by || null;
  }
  record.LastModifiedDate = when;
  record.LastModifiedById = by || null;
  record.SystemModstamp = when;
}
