import { type Context, Hono } from "hono";
import { z } from "zod";
import { objectNotFound, validationError } from "../errors";
import {
  CreateInput,
  createObject,
  objectTypeOrThrow,
  UpdateInput,
  updateObject,
} from "../object-writes";
import { intQuery, readBody } from "../request";
import { OBJECT_TYPES, type ObjectType } from "../schema";
import { listParam, type ReadOptions, toPublicObject } from "../serialize";
import type { HubSpotState } from "../state";
import type { CrmRecord } from "../store";
import { batchRoutes } from "./batch";
import { searchRoutes } from "./search";

const MergeInput = z.object({
  primaryObjectId: z.union([z.string(), z.number()]).transform(String),
  objectIdToMerge: z.union([z.string(), z.number()]).transform(String),
});

/**
 * `/crm/v3/objects/<type>` for one object type, or for any (`fixedType` absent, type taken
 * from the `:objectType` path segment as the generic objects API does).
 */
export function objectRoutes(state: HubSpotState, fixedType?: ObjectType): Hono {
  const app = new Hono();
  const idParam = fixedType ? `${OBJECT_TYPES[fixedType].singular}Id` : "objectId";
  const typeOf = (c: Context): ObjectType =>
    fixedType ?? objectTypeOrThrow(c.req.param("objectType") ?? "");
  const { store } = state;

  batchRoutes(app, state, typeOf);
  searchRoutes(app, state, typeOf);

  app.get("/", (c) => {
    const type = typeOf(c);
    const limit = intQuery(c, "limit", 10);
    if (limit < 1 || limit > 100)
      throw validationError(`limit must be between 1 and 100, got ${limit}`);
    const after = Number(c.req.query("after") ?? 0);
    const all = c.req.query("archived") === "true" ? [] : store.list(type);
    const page = all.filter((r) => Number(r.id) >= after);
    const results = page.slice(0, limit).map((r) => toPublicObject(r, store, readOptions(c)));
    const next = page[limit];
    const link = new URL(c.req.url);
    if (next) link.searchParams.set("after", next.id);
    return c.json(
      next ? { results, paging: { next: { after: next.id, link: link.toString() } } } : { results },
    );
  });

  app.post("/", async (c) => {
    const type = typeOf(c);
    const input = await readBody(c, CreateInput);
    const record = createObject(state, type, input, state.apiSource);
    return c.json(
      toPublicObject(record, store, { properties: Object.keys(input.properties) }),
      201,
    );
  });

  app.post("/merge", async (c) => {
    const type = typeOf(c);
    if (type === "notes") throw validationError("Merging is not supported for notes");
    const input = await readBody(c, MergeInput);
    const primary = store.get(type, input.primaryObjectId);
    const merged = store.get(type, input.objectIdToMerge);
    if (!primary || !merged) throw objectNotFound();
    if (primary.id === merged.id) throw validationError("Cannot merge an object with itself");
    return c.json(toPublicObject(store.merge(primary, merged, state.apiSource), store));
  });

  const find = (c: Context): CrmRecord => {
    const type = typeOf(c);
    const id = c.req.param(idParam) ?? "";
    const idProperty = c.req.query("idProperty");
    const record = idProperty ? store.findByProperty(type, idProperty, id) : store.get(type, id);
    if (!record) throw objectNotFound();
    return record;
  };

  app.get(`/:${idParam}`, (c) => c.json(toPublicObject(find(c), store, readOptions(c))));

  app.patch(`/:${idParam}`, async (c) => {
    const record = find(c);
    const input = await readBody(c, UpdateInput);
    updateObject(state, record, input.properties, state.apiSource);
    return c.json(toPublicObject(record, store, { properties: Object.keys(input.properties) }));
  });

  app.delete(`/:${idParam}`, (c) => {
    const type = typeOf(c);
    const record = store.get(type, c.req.param(idParam) ?? "");
    // Archiving what is already gone is a no-op success in HubSpot.
    if (record) store.archive(record, state.apiSource);
    return c.body(null, 204);
  });

  return app;
}

function readOptions(c: Context): ReadOptions {
  return {
    properties: listParam(c.req.queries("properties")),
    propertiesWithHistory: listParam(c.req.queries("propertiesWithHistory")),
    associations: listParam(c.req.queries("associations")),
  };
}
