import type { LeadAssignment } from "./assignment";
import { checkLeadDuplicates, checkUnique, matchExternalId } from "./duplicates";
import { notFound, SalesforceError } from "./errors";
import { normalizeId } from "./ids";
import { type FieldDef, findField, findObject, type ObjectDef, objectForId } from "./schema";
import type { SfRecord, Store } from "./store";
import { asBodyObject, checkRequired, defaultsFor, normalizeFields } from "./validation";

// Record writes shared by the single-record and the collection endpoints.

export interface DmlContext {
  store: Store;
  /** e.g. "v62.0", for the urls inside results. */
  version: string;
  /** Sforce-Duplicate-Rule-Header: allowSave=true */
  allowSave: boolean;
  /** Sforce-Auto-Assign: the owner the Lead assignment rule gives on create and on update. */
  assignment: LeadAssignment;
}

/** Raised when an external id matches several records: 300 on REST, an error in collections. */
export class MultipleMatches extends Error {
  constructor(
    readonly field: string,
    readonly ids: string[],
  ) {
    super(`${field}: more than one record found for external id field: [${ids.join(", ")}]`);
  }
}

export function resolveObject(type: string): ObjectDef {
  const def = findObject(type);
  if (!def) throw notFound();
  return def;
}

/** A live or deleted record by id; malformed ids and ids of another type are not found. */
export function findRecord(store: Store, def: ObjectDef, rawId: string): SfRecord {
  const id = normalizeId(rawId);
  if (!id || objectForId(id)?.name !== def.name) throw notFound();
  const record = store.get(def.name, id);
  if (!record) throw notFound();
  if (record.IsDeleted === true)
    throw new SalesforceError(404, "ENTITY_IS_DELETED", "entity is deleted", []);
  return record;
}

export function externalIdField(def: ObjectDef, name: string): FieldDef {
  const field = findField(def, name);
  if (!field || !(field.externalId || field.name === "Id")) {
    throw new SalesforceError(
      404,
      "NOT_FOUND",
      `Provided external ID field does not exist or is not accessible: ${name}`,
    );
  }
  return field;
}

function requireWritable(def: ObjectDef, verb: "inserted" | "updated" | "deleted"): void {
  const ok =
    verb === "inserted" ? def.createable : verb === "updated" ? def.updateable : def.deletable;
  if (!ok)
    throw new SalesforceError(
      400,
      "INVALID_TYPE_FOR_OPERATION",
      `entity type cannot be ${verb}: ${def.label}`,
      [],
    );
}

export function createRecord(ctx: DmlContext, def: ObjectDef, body: unknown): string {
  requireWritable(def, "inserted");
  const fields = asBodyObject(body);
  if (Object.keys(fields).some((k) => k.toLowerCase() === "id")) {
    throw new SalesforceError(
      400,
      "INVALID_FIELD_FOR_INSERT_UPDATE",
      "cannot specify Id in an insert call",
      ["Id"],
    );
  }
  const values = { ...defaultsFor(def), ...normalizeFields(def, fields, "create") };
  if (findField(def, "OwnerId") && values.OwnerId == null)
    values.OwnerId = ctx.store.integrationUserId;
  // The rule runs after the record's own values, so it wins over an OwnerId in the body.
  if (def.name === "Lead" && ctx.assignment.onCreate) values.OwnerId = ctx.assignment.onCreate;
  checkRequired(def, values);
  checkReferences(ctx.store, def, values);
  checkUnique(ctx.store, def, values);
  if (def.name === "Lead") checkLeadDuplicates(ctx.store, values, ctx.version, ctx.allowSave);
  return ctx.store.insert(def.name, values).Id as string;
}

export function updateRecord(
  ctx: DmlContext,
  def: ObjectDef,
  rawId: string,
  body: unknown,
): string {
  requireWritable(def, "updated");
  const record = findRecord(ctx.store, def, rawId);
  const fields = { ...asBodyObject(body) };
  for (const key of Object.keys(fields)) {
    // Collections carry the Id inside the record; it names the target, it is not a change.
    if (key.toLowerCase() === "id") delete fields[key];
  }
  if (def.name === "Lead" && record.IsConverted === true) {
    throw new SalesforceError(
      400,
      "CANNOT_UPDATE_CONVERTED_LEAD",
      "cannot reference converted lead",
      [],
    );
  }
  const values = normalizeFields(def, fields, "update");
  if (def.name === "Lead" && ctx.assignment.onUpdate) values.OwnerId = ctx.assignment.onUpdate;
  const merged = { ...record, ...values };
  checkRequired(def, merged);
  checkReferences(ctx.store, def, values);
  checkUnique(ctx.store, def, merged);
  if (def.name === "Lead" && "Email" in values && values.Email !== record.Email) {
    checkLeadDuplicates(ctx.store, merged, ctx.version, ctx.allowSave);
  }
  ctx.store.patch(def.name, record.Id as string, values);
  return record.Id as string;
}

/** Upsert by external id; `body` must not carry Id or the external id field itself. */
export function upsertRecord(
  ctx: DmlContext,
  def: ObjectDef,
  field: FieldDef,
  value: string,
  body: unknown,
  updateOnly = false,
): { id: string; created: boolean } {
  const fields = asBodyObject(body);
  for (const key of Object.keys(fields)) {
    if (key.toLowerCase() === "id" || key.toLowerCase() === field.name.toLowerCase()) {
      const name = findField(def, key)?.name ?? key;
      throw new SalesforceError(
        400,
        "INVALID_FIELD",
        `The ${name} field should not be specified in the sobject data.`,
        [name],
      );
    }
  }
  if (field.name === "Id") {
    if (value) return { id: updateRecord(ctx, def, value, fields), created: false };
    return { id: createRecord(ctx, def, fields), created: true };
  }
  const matches = matchExternalId(ctx.store, def, field, value);
  if (matches.length > 1)
    throw new MultipleMatches(
      field.name,
      matches.map((m) => m.Id as string),
    );
  const existing = matches[0];
  if (existing)
    return { id: updateRecord(ctx, def, existing.Id as string, fields), created: false };
  if (updateOnly) throw notFound();
  return { id: createRecord(ctx, def, { ...fields, [field.name]: value }), created: true };
}

export function deleteRecord(ctx: DmlContext, def: ObjectDef, rawId: string): string {
  requireWritable(def, "deleted");
  const record = findRecord(ctx.store, def, rawId);
  ctx.store.softDelete(def.name, record.Id as string);
  return record.Id as string;
}

/** Lookups must hold well-formed ids of the right object that exist in the org. */
export function checkReferences(store: Store, def: ObjectDef, values: SfRecord): void {
  for (const [name, value] of Object.entries(values)) {
    const field = findField(def, name);
    if (field?.type !== "reference" || typeof value !== "string") continue;
    const id = normalizeId(value);
    if (!id)
      throw new SalesforceError(
        400,
        "MALFORMED_ID",
        `${field.label}: id value of incorrect type: ${value}`,
        [field.name],
      );
    const target = objectForId(id);
    const targets = field.polymorphicTo ?? [field.referenceTo];
    if (!target || !targets.includes(target.name)) {
      throw new SalesforceError(
        400,
        "FIELD_INTEGRITY_EXCEPTION",
        `${field.label}: id value of incorrect type: ${value}`,
        [field.name],
      );
    }
    const row = store.get(target.name, id);
    if (!row || row.IsDeleted === true) {
      throw new SalesforceError(
        400,
        "INVALID_CROSS_REFERENCE_KEY",
        `invalid cross reference id`,
        [],
      );
    }
    values[name] = id;
  }
}
