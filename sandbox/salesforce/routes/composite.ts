import {
  createRecord,
  deleteRecord,
  externalIdField,
  findRecord,
  MultipleMatches,
  resolveObject,
  updateRecord,
  upsertRecord,
} from "../dml";
import { type CollectionError, SalesforceError, unableToLockRow } from "../errors";
import { API, dmlContext, lockRowFires, readJson, type SfApp, type SfContext } from "../http";
import { type FieldDef, type ObjectDef, objectForId } from "../schema";
import type { SandboxState } from "../state";
import { render } from "./sobjects";

// sObject Collections: up to 200 records per call, processed in order, one result per record.
// allOrNone=true rolls every record back when any fails.

const MAX_RECORDS = 200;
const MAX_RETRIEVE_IDS = 2000;
const ROLLED_BACK: CollectionError = {
  statusCode: "ALL_OR_NONE_OPERATION_ROLLED_BACK",
  message:
    "Record rolled back because not all records were valid and the request was using AllOrNone header",
  fields: [],
};

interface SaveResult {
  id?: string;
  success: boolean;
  errors: CollectionError[];
  created?: boolean;
}

type Item = Record<string, unknown>;

export function compositeRoutes(app: SfApp, state: SandboxState): void {
  app.post(`${API}/composite/sobjects`, async (c) => {
    const { allOrNone, records } = await collectionBody(c);
    const ctx = dmlContext(c, state);
    return c.json(
      runAll(
        c,
        state,
        records,
        allOrNone,
        (record) => {
          const def = recordType(record);
          return {
            id: createRecord(ctx, def, withoutAttributes(record)),
            created: true,
          };
        },
        false,
      ),
    );
  });

  app.patch(`${API}/composite/sobjects`, async (c) => {
    const { allOrNone, records } = await collectionBody(c);
    const ctx = dmlContext(c, state);
    return c.json(
      runAll(
        c,
        state,
        records,
        allOrNone,
        (record) => {
          const def = recordType(record);
          const id = record.Id ?? record.id;
          if (typeof id !== "string" || !id)
            throw new SalesforceError(
              400,
              "MISSING_ARGUMENT",
              "Id not specified in an update call",
              [],
            );
          return {
            id: updateRecord(ctx, def, id, withoutAttributes(record)),
            created: false,
          };
        },
        false,
      ),
    );
  });

  app.patch(`${API}/composite/sobjects/:type/:field`, async (c) => {
    const def = resolveObject(c.req.param("type"));
    const field = externalIdField(def, c.req.param("field"));
    const { allOrNone, records } = await collectionBody(c);
    const ctx = dmlContext(c, state);
    const repeated = repeatedValues(records, field);
    return c.json(
      runAll(
        c,
        state,
        records,
        allOrNone,
        (record) => {
          if (recordType(record).name !== def.name) {
            throw new SalesforceError(
              400,
              "INVALID_TYPE",
              `Record type ${String(typeOf(record))} does not match ${def.name}`,
              [],
            );
          }
          const { [fieldKey(record, field)]: value, ...rest } = withoutAttributes(record);
          if (value === undefined || value === null || value === "") {
            throw new SalesforceError(400, "MISSING_ARGUMENT", `${field.name} not specified`, [
              field.name,
            ]);
          }
          if (repeated.has(String(value).toLowerCase())) {
            throw new SalesforceError(
              400,
              "DUPLICATE_VALUE",
              `Duplicate external id specified: ${String(value)}`,
              [field.name],
            );
          }
          return upsertRecord(ctx, def, field, String(value), rest);
        },
        true,
      ),
    );
  });

  const retrieve = (c: SfContext, ids: string[], fields: string[]) => {
    const def = resolveObject(c.req.param("type") ?? "");
    if (fields.length === 0)
      throw new SalesforceError(400, "MISSING_ARGUMENT", "The 'fields' parameter is required", []);
    if (ids.length > MAX_RETRIEVE_IDS) throw tooMany(MAX_RETRIEVE_IDS);
    return c.json(
      ids.map((id) => {
        try {
          return render(def, findRecord(state.store, def, id), c.get("version"), fields.join(","));
        } catch (err) {
          if (err instanceof SalesforceError && err.status === 404) return null;
          throw err;
        }
      }),
    );
  };
  app.get(`${API}/composite/sobjects/:type`, (c) =>
    retrieve(c, list(c.req.query("ids")), list(c.req.query("fields"))),
  );
  app.post(`${API}/composite/sobjects/:type`, async (c) => {
    const body = (await readJson(c)) as { ids?: unknown; fields?: unknown };
    const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
    return retrieve(c, strings(body?.ids), strings(body?.fields));
  });

  app.delete(`${API}/composite/sobjects`, (c) => {
    const ids = list(c.req.query("ids"));
    if (ids.length > MAX_RECORDS) throw tooMany(MAX_RECORDS);
    const allOrNone = c.req.query("allOrNone") === "true";
    const ctx = dmlContext(c, state);
    const items = ids.map((Id) => ({ Id }));
    return c.json(
      runAll(
        c,
        state,
        items,
        allOrNone,
        (item) => {
          const id = String(item.Id);
          const def = objectForId(id);
          if (!def) throw new SalesforceError(400, "MALFORMED_ID", `malformed id ${id}`, []);
          return { id: deleteRecord(ctx, def, id), created: false };
        },
        false,
      ),
    );
  });
}

async function collectionBody(c: SfContext): Promise<{ allOrNone: boolean; records: Item[] }> {
  const body = (await readJson(c)) as { allOrNone?: unknown; records?: unknown } | null;
  if (!body || !Array.isArray(body.records)) {
    throw new SalesforceError(
      400,
      "JSON_PARSER_ERROR",
      "The request body must contain a records array",
    );
  }
  if (body.records.length > MAX_RECORDS) throw tooMany(MAX_RECORDS);
  return { allOrNone: body.allOrNone === true, records: body.records as Item[] };
}

const tooMany = (max: number) =>
  new SalesforceError(
    400,
    "EXCEEDED_ID_LIMIT",
    `record limit reached. cannot submit more than ${max} records into this call`,
  );

const list = (text: string | undefined) =>
  (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

const typeOf = (record: Item) => (record.attributes as { type?: unknown } | undefined)?.type;

function recordType(record: Item): ObjectDef {
  const type = typeOf(record);
  if (typeof type !== "string" || !type) {
    throw new SalesforceError(400, "INVALID_TYPE", "Must specify a type in attributes", []);
  }
  try {
    return resolveObject(type);
  } catch {
    throw new SalesforceError(400, "INVALID_TYPE", `sObject type '${type}' is not supported.`, []);
  }
}

function withoutAttributes(record: Item): Item {
  const { attributes: _ignored, ...rest } = record;
  return rest;
}

/** The key the record uses for the external id field; field names are case-insensitive. */
function fieldKey(record: Item, field: FieldDef): string {
  return (
    Object.keys(record).find((k) => k.toLowerCase() === field.name.toLowerCase()) ?? field.name
  );
}

/**
 * External id values that occur more than once in one call: Salesforce rejects every such record.
 */
function repeatedValues(records: Item[], field: FieldDef): Set<string> {
  const seen = new Map<string, number>();
  for (const r of records) {
    const v = r[fieldKey(r, field)];
    if (v === undefined || v === null) continue;
    const key = String(v).toLowerCase();
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return new Set([...seen].filter(([, n]) => n > 1).map(([k]) => k));
}

function runAll(
  c: SfContext,
  state: SandboxState,
  records: Item[],
  allOrNone: boolean,
  apply: (record: Item) => { id: string; created: boolean },
  withCreated: boolean,
): SaveResult[] {
  if (allOrNone) state.store.begin();
  let results: SaveResult[];
  try {
    results = records.map((record) => saveOne(c, state, record, apply, withCreated));
  } catch (err) {
    if (allOrNone) state.store.rollback();
    throw err;
  }
  if (allOrNone && results.some((r) => !r.success)) {
    state.store.rollback();
    return results.map((r) =>
      r.success ? { success: false, errors: [ROLLED_BACK] } : { success: false, errors: r.errors },
    );
  }
  state.store.commit();
  return results;
}

function saveOne(
  c: SfContext,
  state: SandboxState,
  record: Item,
  apply: (record: Item) => { id: string; created: boolean },
  withCreated: boolean,
): SaveResult {
  const isObject = typeof record === "object" && record !== null;
  const knownId = isObject && typeof record.Id === "string" ? record.Id : undefined;
  try {
    if (!isObject)
      throw new SalesforceError(400, "JSON_PARSER_ERROR", "Each record must be an object", []);
    // A lock_row fault is drawn per record, so its rate or `every` sets the share that fails.
    if (lockRowFires(c, state)) throw unableToLockRow([knownId ?? state.store.integrationUserId]);
    const { id, created } = apply(record);
    return withCreated
      ? { id, success: true, errors: [], created }
      : { id, success: true, errors: [] };
  } catch (err) {
    const failed: SaveResult = { success: false, errors: [toCollectionError(err)] };
    if (knownId) failed.id = knownId;
    return withCreated ? { ...failed, created: false } : failed;
  }
}

function toCollectionError(err: unknown): CollectionError {
  if (err instanceof SalesforceError) return err.toCollectionError();
  if (err instanceof MultipleMatches)
    return { statusCode: "DUPLICATE_EXTERNAL_ID", message: err.message, fields: [] };
  throw err;
}
