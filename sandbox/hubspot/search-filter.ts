import type { PropertySchema } from "./property-schema";
import { toEpochMs } from "./property-values";
import type { ObjectType, PropertyType } from "./schema";
import type { CrmRecord } from "./store";

export const OPERATORS = [
  "EQ",
  "NEQ",
  "LT",
  "LTE",
  "GT",
  "GTE",
  "BETWEEN",
  "IN",
  "NOT_IN",
  "HAS_PROPERTY",
  "NOT_HAS_PROPERTY",
  "CONTAINS_TOKEN",
  "NOT_CONTAINS_TOKEN",
] as const;

export interface Filter {
  propertyName: string;
  operator: (typeof OPERATORS)[number];
  value?: string;
  highValue?: string;
  values?: string[];
}

export interface Sort {
  propertyName: string;
  direction: "ASCENDING" | "DESCENDING";
}

type Comparable = number | string;

/** Filter groups are ORed, the filters inside a group ANDed; no groups matches everything. */
export function matchesGroups(
  record: CrmRecord,
  groups: { filters: Filter[] }[],
  schema: PropertySchema,
): boolean {
  if (groups.length === 0) return true;
  return groups.some((g) => g.filters.every((f) => matchesFilter(record, f, schema)));
}

export function matchesFilter(record: CrmRecord, filter: Filter, schema: PropertySchema): boolean {
  const kind = schema.get(record.type, filter.propertyName)?.type ?? "string";
  const raw = record.properties.get(filter.propertyName);
  switch (filter.operator) {
    case "HAS_PROPERTY":
      return raw !== undefined;
    case "NOT_HAS_PROPERTY":
      return raw === undefined;
    case "CONTAINS_TOKEN":
      return raw !== undefined && containsToken(raw, filter.value ?? "");
    case "NOT_CONTAINS_TOKEN":
      return raw === undefined || !containsToken(raw, filter.value ?? "");
    case "IN":
      return raw !== undefined && (filter.values ?? []).some((v) => compare(kind, raw, v) === 0);
    case "NOT_IN":
      return raw === undefined || !(filter.values ?? []).some((v) => compare(kind, raw, v) === 0);
    case "NEQ":
      return raw === undefined || compare(kind, raw, filter.value ?? "") !== 0;
  }
  if (raw === undefined) return false;
  const c = compare(kind, raw, filter.value ?? "");
  switch (filter.operator) {
    case "EQ":
      return c === 0;
    case "LT":
      return c < 0;
    case "LTE":
      return c <= 0;
    case "GT":
      return c > 0;
    case "GTE":
      return c >= 0;
    case "BETWEEN":
      return c >= 0 && compare(kind, raw, filter.highValue ?? "") <= 0;
  }
}

/**
 * Number and datetime properties compare by value (datetimes as epoch ms), strings
 * case-insensitively.
 */
function compare(kind: PropertyType, stored: string, given: string): number {
  const a = comparable(kind, stored);
  const b = comparable(kind, given);
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}

function comparable(kind: PropertyType, value: string): Comparable {
  if (kind === "number")
    return Number.isFinite(Number(value)) ? Number(value) : value.toLowerCase();
  if (kind === "datetime") return datetimeKey(value);
  return value.toLowerCase();
}

/**
 * Datetimes parsed once per distinct value: a search over 100,000 contacts compares each one's
 * timestamp with every filter and again to sort, and parsing them every time made the stand-in's
 * CPU, not HubSpot's answer time, the pace of a long backfill. Bounded: cleared when it grows past
 * a million values.
 */
const datetimeKeys = new Map<string, Comparable>();
function datetimeKey(value: string): Comparable {
  let key = datetimeKeys.get(value);
  if (key === undefined) {
    key = toEpochMs(value) ?? value;
    if (datetimeKeys.size >= 1_000_000) datetimeKeys.clear();
    datetimeKeys.set(value, key);
  }
  return key;
}

// HubSpot tokenizes values on whitespace and punctuation; `*` is a wildcard inside a token.
function containsToken(value: string, token: string): boolean {
  const wanted = token.toLowerCase().trim();
  if (wanted === "") return false;
  const pattern = new RegExp(`^${wanted.split("*").map(escapeRegExp).join(".*")}$`);
  const lower = value.toLowerCase();
  const candidates = [lower, ...lower.split(/\s+/), ...lower.split(/[^a-z0-9]+/)];
  if (wanted.includes("@") || wanted.includes(".")) candidates.push(...lower.split(/[\s@]+/));
  return candidates.some((t) => t !== "" && pattern.test(t));
}

const escapeRegExp = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");

/** Free-text `query`: a prefix of any word of the type's searchable properties. */
export function matchesQuery(record: CrmRecord, query: string, searchable: string[]): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const haystack = searchable.flatMap((p) =>
    (record.properties.get(p) ?? "").toLowerCase().split(/[\s@.,]+/),
  );
  const whole = searchable.map((p) => (record.properties.get(p) ?? "").toLowerCase());
  return words.every((w) => whole.includes(w) || haystack.some((h) => h.startsWith(w)));
}

export function sortRecords(
  records: CrmRecord[],
  sorts: Sort[],
  type: ObjectType,
  schema: PropertySchema,
): CrmRecord[] {
  // Each record's sort values are made comparable once, not in every comparison (a search over
  // 100,000 contacts otherwise parsed millions of dates: the stand-in, not the caller, was timed).
  const kinds = sorts.map((sort) => schema.get(type, sort.propertyName)?.type ?? "string");
  const keyed = records.map((record) => {
    const raw = sorts.map((sort) => record.properties.get(sort.propertyName));
    return {
      record,
      raw,
      key: raw.map((v, i) => (v === undefined ? undefined : comparable(kinds[i]!, v))),
    };
  });
  keyed.sort((a, b) => {
    for (let i = 0; i < sorts.length; i++) {
      const va = a.raw[i];
      const vb = b.raw[i];
      if (va === vb) continue;
      if (va === undefined) return 1;
      if (vb === undefined) return -1;
      const ka = a.key[i]!;
      const kb = b.key[i]!;
      const c =
        typeof ka === "number" && typeof kb === "number"
          ? ka - kb
          : String(ka).localeCompare(String(kb));
      if (c !== 0) return sorts[i]!.direction === "DESCENDING" ? -c : c;
    }
    return Number(a.record.id) - Number(b.record.id);
  });
  return keyed.map((k) => k.record);
}
