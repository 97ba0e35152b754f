import { SalesforceError } from "../errors";
import { normalizeId } from "../ids";
import { type FieldDef, findField, findObject, type ObjectDef } from "../schema";
import type { SfRecord, SfValue, Store } from "../store";

// Field paths such as `Owner.Name`: relationship hops from the queried object to a field.

export interface FieldPath {
  /** Reference fields walked, e.g. OwnerId for Owner.Name. */
  rels: FieldDef[];
  field: FieldDef;
}

/** Salesforce's query error text: the query, a caret under the offending token, row and column. */
export function queryError(
  code: string,
  soql: string,
  token: string,
  detail: string,
  from = 0,
): SalesforceError {
  const found = findToken(soql.slice(from), token);
  const at = found < 0 ? findToken(soql, token) : from + found;
  const before = soql.slice(0, Math.max(at, 0));
  const row = before.split("\n").length;
  const lineStart = before.lastIndexOf("\n") + 1;
  const column = Math.max(at, 0) - lineStart + 1;
  const line = soql.split("\n")[row - 1] ?? soql;
  const message = `\n${line}\n${" ".repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${detail}`;
  return new SalesforceError(400, code, message);
}

function findToken(soql: string, token: string): number {
  const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`(^|[^\\w.])(${escaped})(?![\\w])`, "i").exec(soql);
  return match ? match.index + match[1]!.length : -1;
}

/** `from`: where in the query to start looking for the offending token, e.g. the WHERE clause. */
export function resolvePath(
  def: ObjectDef,
  text: string,
  soql: string,
  alias?: string,
  from = 0,
): FieldPath {
  let segments = text.split(".");
  const head = segments[0]!.toLowerCase();
  if (segments.length > 1 && (head === def.name.toLowerCase() || head === alias?.toLowerCase())) {
    segments = segments.slice(1);
  }
  const rels: FieldDef[] = [];
  let current = def;
  for (const segment of segments.slice(0, -1)) {
    const rel = current.byRelationship.get(segment.toLowerCase());
    const next = rel?.referenceTo ? findObject(rel.referenceTo) : undefined;
    if (!rel || !next) {
      throw queryError(
        "INVALID_FIELD",
        soql,
        text,
        `Didn't understand relationship '${segment}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
        from,
      );
    }
    rels.push(rel);
    current = next;
  }
  const last = segments[segments.length - 1]!;
  const field = findField(current, last);
  if (!field) {
    throw queryError(
      "INVALID_FIELD",
      soql,
      text,
      `No such column '${last}' on entity '${current.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      from,
    );
  }
  return { rels, field };
}

/** The record at the end of the relationship hops, or null when a lookup is empty. */
export function follow(store: Store, record: SfRecord, rels: FieldDef[]): SfRecord | null {
  let current: SfRecord | null = record;
  for (const rel of rels) {
    const id: SfValue | undefined = current?.[rel.name];
    if (typeof id !== "string" || !rel.referenceTo) return null;
    current = store.get(rel.referenceTo, id) ?? null;
  }
  return current;
}

export function valueAt(store: Store, record: SfRecord, path: FieldPath): SfValue {
  return follow(store, record, path.rels)?.[path.field.name] ?? null;
}

const TEXT = new Set(["string", "email", "url", "textarea", "picklist"]);

/**
 * A value in the form SOQL compares it: text case-insensitively, ids by their 15-char form, dates
 * as ms.
 */
export function comparable(field: FieldDef, value: SfValue): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (TEXT.has(field.type)) return String(value).toLowerCase();
  if (field.type === "id" || field.type === "reference")
    return (normalizeId(String(value)) ?? String(value)).slice(0, 15);
  if (field.type === "date") return Date.parse(`${String(value)}T00:00:00Z`);
  if (field.type === "datetime") return Date.parse(String(value).replace(/\+0000$/, "Z"));
  return value;
}

export function compareValues(a: string | number | boolean, b: string | number | boolean): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
