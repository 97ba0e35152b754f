import { jsonParserError, SalesforceError } from "./errors";
import { type FieldDef, findField, type ObjectDef } from "./schema";
import { type SfRecord, type SfValue, sfDate, sfDateTime } from "./store";

// Turns a request body into typed field values, raising the errors Salesforce raises for
// unknown fields, read-only fields, wrong JSON types, lengths and email formats.

export type WriteMode = "create" | "update";

const TEXT_TYPES = new Set(["string", "email", "url", "textarea", "picklist", "id", "reference"]);
const NUMBER_TYPES = new Set(["double", "int", "currency", "percent"]);
// Close to the address check Salesforce applies to Email fields.
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export function asBodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw jsonParserError("Cannot deserialize instance of sObject from non-object value");
  }
  return body as Record<string, unknown>;
}

/** Field values keyed by their canonical names; `attributes` is metadata, not a field. */
export function normalizeFields(
  def: ObjectDef,
  body: Record<string, unknown>,
  mode: WriteMode,
): SfRecord {
  const out: SfRecord = {};
  const readOnly: string[] = [];
  for (const [key, raw] of Object.entries(body)) {
    if (key === "attributes") continue;
    const field = findField(def, key);
    if (!field) {
      throw new SalesforceError(
        400,
        "INVALID_FIELD",
        `No such column '${key}' on sobject of type ${def.name}`,
      );
    }
    if (mode === "create" ? !field.createable : !field.updateable) {
      readOnly.push(field.name);
      continue;
    }
    out[field.name] = coerce(field, raw);
  }
  if (readOnly.length > 0) {
    throw new SalesforceError(
      400,
      "INVALID_FIELD_FOR_INSERT_UPDATE",
      `Unable to create/update fields: ${readOnly.join(", ")}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      readOnly,
    );
  }
  for (const [name, value] of Object.entries(out)) checkValue(findField(def, name)!, value);
  return out;
}

function coerce(field: FieldDef, raw: unknown): SfValue {
  if (raw === null || raw === undefined) return null;
  const kind = typeof raw;
  if (kind === "object") {
    throw jsonParserError(
      `Cannot deserialize instance of ${field.type} from START_OBJECT value or request may be missing a required field`,
    );
  }
  if (TEXT_TYPES.has(field.type)) {
    const text = String(raw);
    // Salesforce stores an empty text value as null.
    return text === "" ? null : text;
  }
  if (field.type === "boolean") {
    if (kind === "boolean") return raw as boolean;
    if (raw === "true" || raw === "false") return raw === "true";
    throw deserialize(field, raw);
  }
  if (NUMBER_TYPES.has(field.type)) {
    const n =
      typeof raw === "number"
        ? raw
        : typeof raw === "string" && raw.trim() !== ""
          ? Number(raw)
          : NaN;
    if (!Number.isFinite(n) || (field.type === "int" && !Number.isInteger(n)))
      throw deserialize(field, raw);
    return n;
  }
  if (field.type === "date" || field.type === "datetime") {
    const text = String(raw);
    const ms = /^\d{4}-\d{2}-\d{2}$/.test(text)
      ? Date.parse(`${text}T00:00:00Z`)
      : Date.parse(text);
    if (kind !== "string" || Number.isNaN(ms)) throw deserialize(field, raw);
    return field.type === "date" ? sfDate(ms) : sfDateTime(ms);
  }
  return String(raw);
}

function deserialize(field: FieldDef, raw: unknown): SalesforceError {
  const token =
    typeof raw === "string"
      ? "VALUE_STRING"
      : typeof raw === "boolean"
        ? `VALUE_${String(raw).toUpperCase()}`
        : "VALUE_NUMBER_INT";
  const javaType =
    field.type === "datetime"
      ? "datetime"
      : field.type === "int"
        ? "int"
        : field.type === "date"
          ? "date"
          : NUMBER_TYPES.has(field.type)
            ? "double"
            : field.type;
  return jsonParserError(
    `Cannot deserialize instance of ${javaType} from ${token} value ${String(raw)} or request may be missing a required field`,
  );
}

function checkValue(field: FieldDef, value: SfValue): void {
  if (typeof value !== "string") return;
  if (field.type === "email" && !EMAIL.test(value)) {
    throw new SalesforceError(
      400,
      "INVALID_EMAIL_ADDRESS",
      `${field.label}: invalid email address: ${value}`,
      [field.name],
    );
  }
  if (field.length > 0 && value.length > field.length) {
    throw new SalesforceError(
      400,
      "STRING_TOO_LONG",
      `${field.label}: data value too large: ${value} (max length=${field.length})`,
      [field.name],
    );
  }
  if (field.restrictedPicklist && !field.picklistValues?.includes(value)) {
    throw new SalesforceError(
      400,
      "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
      `${field.label}: bad value for restricted picklist field: ${value}`,
      [field.name],
    );
  }
}

/** REQUIRED_FIELD_MISSING over the record as it would be saved. */
export function checkRequired(def: ObjectDef, record: SfRecord): void {
  const missing = def.fields.filter(
    (f) => f.required && (record[f.name] === null || record[f.name] === undefined),
  );
  if (missing.length > 0) {
    const names = missing.map((f) => f.name);
    throw new SalesforceError(
      400,
      "REQUIRED_FIELD_MISSING",
      `Required fields are missing: [${names.join(", ")}]`,
      names,
    );
  }
}

/** Defaults a create fills in when the body leaves a field out. */
export function defaultsFor(def: ObjectDef): SfRecord {
  const out: SfRecord = {};
  for (const f of def.fields) if (f.defaultValue !== undefined) out[f.name] = f.defaultValue;
  return out;
}
