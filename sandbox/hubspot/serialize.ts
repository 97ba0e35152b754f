import { associationType } from "./association-types";
import { OBJECT_TYPES, resolveObjectType } from "./schema";
import type { CrmRecord, CrmStore, HistoryEntry } from "./store";

export interface ReadOptions {
  properties?: string[];
  propertiesWithHistory?: string[];
  /** v3 `associations` query: object type names to list associated ids for. */
  associations?: string[];
}

export interface PublicObject {
  id: string;
  properties: Record<string, string | null>;
  propertiesWithHistory?: Record<string, HistoryEntry[]>;
  associations?: Record<string, { results: { id: string; type: string }[] }>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

/**
 * A record as HubSpot's v3 API shows it: asked-for properties that exist (null when empty,
 * unknown names left out) plus the id and timestamps HubSpot always adds, else the defaults.
 */
export function toPublicObject(
  record: CrmRecord,
  store: CrmStore,
  opts: ReadOptions = {},
): PublicObject {
  const meta = OBJECT_TYPES[record.type];
  const asked = opts.properties?.filter((p) => p.length > 0) ?? [];
  const names =
    asked.length > 0
      ? [...asked, "hs_object_id", meta.createdProp, meta.modifiedProp]
      : meta.defaults;
  const properties: Record<string, string | null> = {};
  for (const name of [...new Set(names)].sort()) {
    if (store.schema.get(record.type, name)) properties[name] = record.properties.get(name) ?? null;
  }
  const out: PublicObject = {
    id: record.id,
    properties,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    archived: record.archived,
  };
  if (record.archivedAt) out.archivedAt = record.archivedAt.toISOString();
  const withHistory =
    opts.propertiesWithHistory?.filter((p) => store.schema.get(record.type, p)) ?? [];
  if (withHistory.length > 0) {
    out.propertiesWithHistory = Object.fromEntries(
      withHistory.map((p) => [p, record.history.get(p) ?? []]),
    );
  }
  if (opts.associations?.length) {
    const associations = associationsOf(record, opts.associations, store);
    if (Object.keys(associations).length > 0) out.associations = associations;
  }
  return out;
}

function associationsOf(
  record: CrmRecord,
  toTypes: string[],
  store: CrmStore,
): NonNullable<PublicObject["associations"]> {
  const out: NonNullable<PublicObject["associations"]> = {};
  for (const name of toTypes) {
    const to = resolveObjectType(name);
    if (!to) continue;
    const results = store.associations
      .list(record.type, record.id, to)
      .filter((t) => store.get(to, t.toId))
      .flatMap((t) =>
        t.typeIds.map((typeId) => ({
          id: t.toId,
          type: associationType(record.type, to, typeId)?.name ?? String(typeId),
        })),
      );
    if (results.length > 0) out[to] = { results };
  }
  return out;
}

/**
 * Query parameters arrive repeated (`properties=a&properties=b`, as the SDK sends them) or comma
 * separated.
 */
export function listParam(values: string[] | undefined): string[] | undefined {
  if (!values || values.length === 0) return undefined;
  return values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
}
