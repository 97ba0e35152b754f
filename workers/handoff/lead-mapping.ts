import type { FieldMapping, Mapping, Source, Transform } from "../../shared/contracts/mapping";
import type { Mql } from "../../shared/contracts/mql";
import type { Properties } from "./mql";

export const EXTERNAL_ID_FIELD = "HubSpot_Contact_Id__c";

/** A Salesforce Lead as a mapping builds it: the external id plus each mapped field's value. */
export type SalesforceLead = { [EXTERNAL_ID_FIELD]: string } & Record<string, LeadValue>;
export type LeadValue = string | number | boolean | null;

/** What a mapping reads: the contact, its primary company and the MQL built from them. */
export interface MappingInput {
  contactId: string;
  mql: Mql;
  contact: Properties;
  company?: Properties | null;
}

/** A Lead field's length as Salesforce describes it; undefined when unknown. */
export type FieldLength = (field: string) => number | undefined;

/** A value on its way through the transforms: text, number, boolean, a list, or nothing. */
type Value = string | number | boolean | string[] | null;

/**
 * Builds the Salesforce Lead a mapping describes for one contact; pure. The external id is always
 * the contact id. An empty text is written as null, except a join of an empty list (the empty
 * text, as version 1 always wrote Qualification_Criteria__c).
 */
export function toLeadFields(
  mapping: Mapping,
  input: MappingInput,
  fieldLength: FieldLength = () => undefined,
): SalesforceLead {
  const lead: SalesforceLead = { [EXTERNAL_ID_FIELD]: input.contactId };
  for (const f of mapping.fields) lead[f.field] = fieldValue(f, input, fieldLength);
  return lead;
}

/** One mapped field's value for one contact; pure. */
export function fieldValue(
  f: FieldMapping,
  input: MappingInput,
  fieldLength: FieldLength = () => undefined,
): LeadValue {
  let value = sourceValue(f.from, input);
  let joined = false;
  for (const t of f.transforms) {
    value = applyTransform(t, value, f.field, fieldLength);
    joined = t.kind === "join" ? Array.isArray(value) || typeof value === "string" : joined;
  }
  if (Array.isArray(value)) value = value.join(";");
  return value === "" && !joined ? null : value;
}

function sourceValue(from: Source, { mql, contact, company }: MappingInput): Value {
  if ("property" in from) return propertyOf(from.property, contact, company);
  if ("constant" in from) return from.constant;
  if ("mql" in from) {
    const [head, tail] = from.mql.split(".") as [keyof Mql, string | undefined];
    const top = mql[head] as unknown;
    const v = tail ? (top as Record<string, Value>)[tail] : (top as Value);
    return Array.isArray(v) ? [...v] : (v ?? null);
  }
  let any = false;
  const text = from.template.replace(/\{([^}]*)\}/g, (_, ref: string) => {
    const v = propertyOf(ref, contact, company) ?? "";
    any ||= v !== "";
    return v;
  });
  return any || !/\{[^}]*\}/.test(from.template) ? text : null;
}

function propertyOf(ref: string, contact: Properties, company?: Properties | null): string | null {
  const [kind, name] = ref.split(".", 2) as ["contact" | "company", string];
  const properties = kind === "contact" ? contact : company;
  return properties?.[name] ?? null;
}

const text = (v: Value): string | null =>
  v === null ? null : Array.isArray(v) ? v.join(";") : String(v);

function applyTransform(t: Transform, v: Value, field: string, fieldLength: FieldLength): Value {
  if (v === null) return null;
  switch (t.kind) {
    case "trim":
      return Array.isArray(v) ? v.map((s) => s.trim()) : typeof v === "string" ? v.trim() : v;
    case "truncate": {
      const n = t.length === "field" ? fieldLength(field) : t.length;
      return n === undefined ? v : text(v)!.slice(0, n);
    }
    case "case": {
      const s = text(v)!;
      if (t.to === "upper") return s.toUpperCase();
      if (t.to === "lower") return s.toLowerCase();
      return s
        .toLowerCase()
        .replace(/(^|[\s\-/])(\p{L})/gu, (_, sep, c: string) => sep + c.toUpperCase());
    }
    case "map": {
      const key = text(v)!;
      if (Object.hasOwn(t.values, key)) return t.values[key]!;
      return t.default !== undefined ? t.default : v;
    }
    case "number": {
      if (typeof v === "number") return Number.isFinite(v) ? v : null;
      const s = text(v)!.trim();
      const n = Number(s);
      return s !== "" && Number.isFinite(n) ? n : null;
    }
    case "date":
      return isoDate(v);
    case "boolean":
      return toBoolean(v);
    case "prefix":
      return `${t.text}${text(v)}`;
    case "join":
      return Array.isArray(v) ? v.join(t.separator) : v;
  }
}

/** YYYY-MM-DD (UTC) from epoch milliseconds or an ISO date or date-time; else null. */
function isoDate(v: Value): string | null {
  if (typeof v === "boolean" || Array.isArray(v) || v === null) return null;
  const s = String(v).trim();
  let ms: number;
  if (/^-?\d+$/.test(s)) ms = Number(s);
  else if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) ms = Date.parse(s);
  else return null;
  if (!Number.isFinite(ms)) return null;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().slice(0, 10);
}

const TRUE = new Set(["true", "yes", "1"]);
const FALSE = new Set(["false", "no", "0"]);

function toBoolean(v: Value): boolean | null {
  if (typeof v === "boolean") return v;
  const s = text(v)!.trim().toLowerCase();
  return TRUE.has(s) ? true : FALSE.has(s) ? false : null;
}

/** The HubSpot properties a mapping reads (its property sources and template references). */
export function mappingProperties(mapping: Mapping): { contact: string[]; company: string[] } {
  const refs = mapping.fields.flatMap(({ from }) =>
    "property" in from
      ? [from.property]
      : "template" in from
        ? [...from.template.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!)
        : [],
  );
  const of = (kind: string) => [
    ...new Set(refs.filter((r) => r.startsWith(`${kind}.`)).map((r) => r.slice(kind.length + 1))),
  ];
  return { contact: of("contact"), company: of("company") };
}

/** Whether a mapping truncates any field to the field's own length (so needs the describe). */
export const needsFieldLengths = (mapping: Mapping): boolean =>
  mapping.fields.some((f) =>
    f.transforms.some((t) => t.kind === "truncate" && t.length === "field"),
  );
