import { describeGlobal, describeObject, objectSummary } from "../describe";
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
import { matchExternalId } from "../duplicates";
import { notFound, SalesforceError } from "../errors";
import {
  API,
  dmlContext,
  readJson,
  recordUrl,
  type SfApp,
  type SfContext,
  throwIfLocked,
} from "../http";
import { findField, type ObjectDef } from "../schema";
import type { SandboxState } from "../state";
import type { SfRecord } from "../store";

// sObject resources: describe, create, retrieve, update, delete, and rows by external id.

export function sobjectRoutes(app: SfApp, state: SandboxState): void {
  app.get(`${API}/sobjects`, (c) => c.json(describeGlobal(c.get("version"))));

  app.get(`${API}/sobjects/:type`, (c) => {
    const def = resolveObject(c.req.param("type"));
    return c.json({ objectDescribe: objectSummary(def, c.get("version")), recentItems: [] });
  });

  app.get(`${API}/sobjects/:type/describe`, (c) =>
    c.json(describeObject(resolveObject(c.req.param("type")), c.get("version"))),
  );

  app.post(`${API}/sobjects/:type`, async (c) => {
    const def = resolveObject(c.req.param("type"));
    const body = await readJson(c);
    throwIfLocked(c, state, [lockTarget(body, state)]);
    const id = createRecord(dmlContext(c, state), def, body);
    return c.json({ id, success: true, errors: [] }, 201);
  });

  app.get(`${API}/sobjects/:type/:id`, (c) => {
    const def = resolveObject(c.req.param("type"));
    const record = findByIdOrExplain(state, def, c.req.param("id"));
    return c.json(render(def, record, c.get("version"), c.req.query("fields")));
  });

  app.patch(`${API}/sobjects/:type/:id`, async (c) => {
    const def = resolveObject(c.req.param("type"));
    const body = await readJson(c);
    findByIdOrExplain(state, def, c.req.param("id"));
    throwIfLocked(c, state, [c.req.param("id")]);
    updateRecord(dmlContext(c, state), def, c.req.param("id"), body);
    return c.body(null, 204);
  });

  app.delete(`${API}/sobjects/:type/:id`, (c) => {
    const def = resolveObject(c.req.param("type"));
    findByIdOrExplain(state, def, c.req.param("id"));
    throwIfLocked(c, state, [c.req.param("id")]);
    deleteRecord(dmlContext(c, state), def, c.req.param("id"));
    return c.body(null, 204);
  });

  app.get(`${API}/sobjects/:type/:field/:value`, (c) => {
    const def = resolveObject(c.req.param("type"));
    const record = single(c, state, def);
    if (!record) throw notFound();
    return c.json(render(def, record, c.get("version"), c.req.query("fields")));
  });

  app.patch(`${API}/sobjects/:type/:field/:value`, async (c) => {
    const def = resolveObject(c.req.param("type"));
    const field = externalIdField(def, c.req.param("field"));
    const body = await readJson(c);
    const existing = single(c, state, def);
    throwIfLocked(c, state, [existing ? String(existing.Id) : lockTarget(body, state)]);
    const updateOnly = c.req.query("updateOnly") === "true";
    const { id, created } = upsertRecord(
      dmlContext(c, state),
      def,
      field,
      c.req.param("value"),
      body,
      updateOnly,
    );
    // Since API 46.0 an update answers 200 with a body; earlier versions answered 204.
    if (!created && versionNumber(c) < 46) return c.body(null, 204);
    return c.json({ id, success: true, errors: [], created }, created ? 201 : 200);
  });

  app.delete(`${API}/sobjects/:type/:field/:value`, (c) => {
    const def = resolveObject(c.req.param("type"));
    const record = single(c, state, def);
    if (!record) throw notFound();
    throwIfLocked(c, state, [String(record.Id)]);
    deleteRecord(dmlContext(c, state), def, String(record.Id));
    return c.body(null, 204);
  });
}

const versionNumber = (c: SfContext) => Number(c.get("version").slice(1));

/** The one record an external id names; 300 with the candidates' urls when it names several. */
function single(c: SfContext, state: SandboxState, def: ObjectDef): SfRecord | undefined {
  const field = externalIdField(def, c.req.param("field") ?? "");
  const value = c.req.param("value") ?? "";
  if (field.name === "Id") return value ? findRecord(state.store, def, value) : undefined;
  const matches = matchExternalId(state.store, def, field, value);
  if (matches.length > 1)
    throw new MultipleMatches(
      field.name,
      matches.map((m) => String(m.Id)),
    );
  return matches[0];
}

/**
 * A path segment that is not a record id is read as an external id field name, as Salesforce does.
 */
function findByIdOrExplain(state: SandboxState, def: ObjectDef, raw: string): SfRecord {
  if (!/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(raw)) {
    throw new SalesforceError(
      404,
      "NOT_FOUND",
      `Provided external ID field does not exist or is not accessible: ${raw}`,
    );
  }
  return findRecord(state.store, def, raw);
}

/** The row a create would lock: its owner, as the parent record contended for. */
function lockTarget(body: unknown, state: SandboxState): string {
  const owner =
    typeof body === "object" && body !== null
      ? (body as Record<string, unknown>).OwnerId
      : undefined;
  return typeof owner === "string" ? owner : state.store.integrationUserId;
}

export function render(
  def: ObjectDef,
  record: SfRecord,
  version: string,
  fieldsParam?: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: { type: def.name, url: recordUrl(version, def.name, record.Id) },
  };
  const names = fieldsParam
    ? fieldsParam
        .split(",")
        .map((n) => n.trim())
        .filter(Boolean)
    : def.fields.map((f) => f.name);
  for (const name of names) {
    const field = findField(def, name);
    if (!field)
      throw new SalesforceError(
        400,
        "INVALID_FIELD",
        `No such column '${name}' on sobject of type ${def.name}`,
      );
    out[field.name] = record[field.name] ?? null;
  }
  return out;
}
