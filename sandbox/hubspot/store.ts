import { AssociationGraph } from "./association-graph";
import { PropertySchema, type SchemaOptions } from "./property-schema";
import type { PropertyWrite } from "./property-values";
import { OBJECT_TYPES, type ObjectType } from "./schema";

/** Who made a change; feeds webhook `changeSource`/`sourceId` and property history. */
export interface ChangeSource {
  changeSource: string;
  sourceId?: string;
}

export interface HistoryEntry {
  value: string;
  timestamp: string;
  sourceType: string;
  sourceId?: string;
}

export interface CrmRecord {
  id: string;
  type: ObjectType;
  properties: Map<string, string>;
  history: Map<string, HistoryEntry[]>;
  createdAt: Date;
  updatedAt: Date;
  archived: boolean;
  archivedAt?: Date;
}

export type StoreEvent =
  | { kind: "creation"; type: ObjectType; id: string; at: number; source: ChangeSource }
  | {
      kind: "propertyChange";
      type: ObjectType;
      id: string;
      at: number;
      source: ChangeSource;
      name: string;
      value: string;
    }
  | { kind: "deletion"; type: ObjectType; id: string; at: number; source: ChangeSource }
  | {
      kind: "merge";
      type: ObjectType;
      primaryId: string;
      mergedId: string;
      at: number;
      source: ChangeSource;
    }
  | {
      kind: "associationChange";
      fromType: ObjectType;
      fromId: string;
      toType: ObjectType;
      toId: string;
      removed: boolean;
      at: number;
      source: ChangeSource;
    };

/** The first record id of a fresh portal (and after a reset), unless the sandbox is told another. */
export const FIRST_ID = 1001;

export class CrmStore {
  readonly associations = new AssociationGraph();
  /** The portal's property definitions: what writes are checked against and reads show. */
  readonly schema = new PropertySchema();
  private records: Record<ObjectType, Map<string, CrmRecord>> = {
    contacts: new Map(),
    companies: new Map(),
    notes: new Map(),
  };
  private mergedInto = new Map<string, string>();
  /**
   * Contact ids by lower-cased email, so a create's duplicate check is not a scan of every contact.
   */
  private contactsByEmail = new Map<string, Set<string>>();
  private nextId: number;
  private listeners: ((event: StoreEvent) => void)[] = [];
  /** Seeding writes history but must not look like fresh activity to webhook subscribers. */
  silent = false;

  constructor(private readonly firstId = FIRST_ID) {
    this.nextId = firstId;
  }

  onEvent(listener: (event: StoreEvent) => void): void {
    this.listeners.push(listener);
  }

  reset(schema: SchemaOptions = {}): void {
    this.schema.reset(schema);
    for (const map of Object.values(this.records)) map.clear();
    this.associations.clear();
    this.mergedInto.clear();
    this.contactsByEmail.clear();
    this.nextId = this.firstId;
  }

  /**
   * A live (not archived) record; ids of merged-away records resolve to the record they merged
   * into.
   */
  get(type: ObjectType, id: string): CrmRecord | undefined {
    const record = this.records[type].get(this.mergedInto.get(`${type}:${id}`) ?? id);
    return record && !record.archived ? record : undefined;
  }

  /**
   * A live contact other than `exceptId` with this email (case-insensitive), as HubSpot's
   * uniqueness check sees it.
   */
  contactWithEmail(email: string, exceptId?: string): CrmRecord | undefined {
    for (const id of this.contactsByEmail.get(email.toLowerCase()) ?? []) {
      const record = this.records.contacts.get(id);
      if (id !== exceptId && record && !record.archived) return record;
    }
    return undefined;
  }

  /**
   * The live record whose `property` equals `value` case-insensitively (an `idProperty` lookup);
   * contact emails from the index.
   */
  findByProperty(type: ObjectType, property: string, value: string): CrmRecord | undefined {
    if (type === "contacts" && property === "email") return this.contactWithEmail(value);
    const wanted = value.toLowerCase();
    return this.list(type).find((r) => r.properties.get(property)?.toLowerCase() === wanted);
  }

  /**
   * Live records in id order: `create` is the one way in and hands out ids in increasing order,
   * and a Map keeps insertion order, so no sort (over 100,000 contacts it cost every search more
   * than the search itself).
   */
  list(type: ObjectType): CrmRecord[] {
    return [...this.records[type].values()].filter((r) => !r.archived);
  }

  create(type: ObjectType, write: PropertyWrite, source: ChangeSource, at = Date.now()): CrmRecord {
    const meta = OBJECT_TYPES[type];
    const id = String(this.nextId++);
    const createdAt = new Date(write.get(meta.createdProp) ?? at);
    const record: CrmRecord = {
      id,
      type,
      properties: new Map(),
      history: new Map(),
      createdAt,
      updatedAt: new Date(at),
      archived: false,
    };
    this.records[type].set(id, record);
    const stamp = new Date(at).toISOString();
    this.setValue(record, "hs_object_id", id, stamp, source);
    this.setValue(record, meta.createdProp, createdAt.toISOString(), stamp, source);
    this.setValue(record, meta.modifiedProp, stamp, stamp, source);
    this.emit({ kind: "creation", type, id, at, source });
    for (const [name, value] of write) {
      if (value === null || name === meta.createdProp) continue;
      this.setValue(record, name, value, stamp, source);
      this.emit({ kind: "propertyChange", type, id, at, source, name, value });
    }
    return record;
  }

  update(
    record: CrmRecord,
    write: PropertyWrite,
    source: ChangeSource,
    at = Date.now(),
  ): CrmRecord {
    const stamp = new Date(at).toISOString();
    let changed = false;
    for (const [name, value] of write) {
      if ((record.properties.get(name) ?? null) === value) continue;
      changed = true;
      this.setValue(record, name, value, stamp, source);
      this.emit({
        kind: "propertyChange",
        type: record.type,
        id: record.id,
        at,
        source,
        name,
        value: value ?? "",
      });
    }
    if (changed) {
      record.updatedAt = new Date(at);
      this.setValue(record, OBJECT_TYPES[record.type].modifiedProp, stamp, stamp, source);
    }
    return record;
  }

  archive(record: CrmRecord, source: ChangeSource, at = Date.now()): void {
    record.archived = true;
    record.archivedAt = new Date(at);
    for (const { to, targets } of this.associations.all(record.type, record.id)) {
      for (const t of targets) this.associations.remove(record.type, record.id, to, t.toId);
    }
    this.emit({ kind: "deletion", type: record.type, id: record.id, at, source });
  }

  /**
   * The primary keeps its values, takes the merged record's where it has none, and its
   * associations.
   */
  merge(primary: CrmRecord, merged: CrmRecord, source: ChangeSource, at = Date.now()): CrmRecord {
    const stamp = new Date(at).toISOString();
    for (const [name, value] of merged.properties) {
      if (!primary.properties.has(name)) this.setValue(primary, name, value, stamp, source);
    }
    for (const { to, targets } of this.associations.all(merged.type, merged.id)) {
      for (const t of targets) {
        for (const typeId of t.typeIds)
          this.associations.add(primary.type, primary.id, to, t.toId, typeId);
        this.associations.remove(merged.type, merged.id, to, t.toId);
      }
    }
    if (primary.type === "contacts") {
      const ids = [primary.properties.get("hs_merged_object_ids"), merged.id]
        .filter(Boolean)
        .join(";");
      this.setValue(primary, "hs_merged_object_ids", ids, stamp, source);
    }
    merged.archived = true;
    merged.archivedAt = new Date(at);
    this.mergedInto.set(`${merged.type}:${merged.id}`, primary.id);
    primary.updatedAt = new Date(at);
    this.setValue(primary, OBJECT_TYPES[primary.type].modifiedProp, stamp, stamp, source);
    this.emit({
      kind: "merge",
      type: primary.type,
      primaryId: primary.id,
      mergedId: merged.id,
      at,
      source,
    });
    return primary;
  }

  associate(
    from: CrmRecord,
    to: CrmRecord,
    typeId: number,
    source: ChangeSource,
    at = Date.now(),
  ): void {
    if (this.associations.add(from.type, from.id, to.type, to.id, typeId)) {
      this.emitAssociation(from, to, false, source, at);
    }
  }

  dissociate(from: CrmRecord, to: CrmRecord, source: ChangeSource, at = Date.now()): boolean {
    const removed = this.associations.remove(from.type, from.id, to.type, to.id);
    if (removed) this.emitAssociation(from, to, true, source, at);
    return removed;
  }

  private emitAssociation(
    from: CrmRecord,
    to: CrmRecord,
    removed: boolean,
    source: ChangeSource,
    at: number,
  ) {
    const base = { kind: "associationChange" as const, removed, at, source };
    this.emit({ ...base, fromType: from.type, fromId: from.id, toType: to.type, toId: to.id });
    this.emit({ ...base, fromType: to.type, fromId: to.id, toType: from.type, toId: from.id });
  }

  private setValue(
    record: CrmRecord,
    name: string,
    value: string | null,
    timestamp: string,
    source: ChangeSource,
  ) {
    if (record.type === "contacts" && name === "email")
      this.indexEmail(record.id, record.properties.get(name), value);
    if (value === null) record.properties.delete(name);
    else record.properties.set(name, value);
    const entry: HistoryEntry = { value: value ?? "", timestamp, sourceType: source.changeSource };
    if (source.sourceId) entry.sourceId = source.sourceId;
    record.history.set(name, [entry, ...(record.history.get(name) ?? [])]);
  }

  private indexEmail(id: string, before: string | undefined, after: string | null) {
    if (before) this.contactsByEmail.get(before.toLowerCase())?.delete(id);
    if (after) {
      const key = after.toLowerCase();
      const ids = this.contactsByEmail.get(key) ?? new Set<string>();
      ids.add(id);
      this.contactsByEmail.set(key, ids);
    }
  }

  private emit(event: StoreEvent): void {
    if (this.silent) return;
    for (const listener of this.listeners) listener(event);
  }
}
