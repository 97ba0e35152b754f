import type { Context, Hono } from "hono";
import { z } from "zod";
import { HubSpotError, type StandardError, standardError, validationError } from "../errors";
import { CreateInput, createObject, IdInput, planCreate, updateObject } from "../object-writes";
import { validatePropertyWrite } from "../property-values";
import { readBody } from "../request";
import { OBJECT_TYPES, type ObjectType } from "../schema";
import { type PublicObject, toPublicObject } from "../serialize";
import type { HubSpotState } from "../state";

const MAX_INPUTS = 100;

const inputs = <T extends z.ZodType>(item: T) =>
  z.array(item).superRefine((list, ctx) => {
    if (list.length > MAX_INPUTS) {
      ctx.addIssue({ code: "custom", message: `Too many inputs: ${list.length} > ${MAX_INPUTS}` });
    }
  });

const ReadInput = z.object({
  inputs: inputs(IdInput),
  properties: z.array(z.string()).default([]),
  propertiesWithHistory: z.array(z.string()).default([]),
  idProperty: z.string().optional(),
});
const UpdateInputs = z.object({
  inputs: inputs(IdInput.extend({ properties: z.record(z.string(), z.unknown()) })),
});
const CreateInputs = z.object({
  inputs: inputs(CreateInput.extend({ objectWriteTraceId: z.string().min(1).optional() })),
});
/** The fault that refuses one input of a multi-status batch create (see the README). */
const ITEM_FAULT = "batch_item_error";
const UpsertInputs = z.object({
  inputs: inputs(
    IdInput.extend({
      idProperty: z.string().optional(),
      properties: z.record(z.string(), z.unknown()),
      objectWriteTraceId: z.string().optional(),
    }),
  ),
});
const ArchiveInputs = z.object({ inputs: inputs(IdInput) });

/** HubSpot's batch answer: 200 when all went through, 207 with the errors when some did not. */
export function batchResponse(
  c: Context,
  results: unknown[],
  startedAt: Date,
  errors: StandardError[],
  okStatus: 200 | 201 = 200,
) {
  const body = {
    status: "COMPLETE",
    results,
    startedAt: startedAt.toISOString(),
    completedAt: new Date().toISOString(),
  };
  if (errors.length === 0) return c.json(body, okStatus);
  return c.json({ ...body, numErrors: errors.length, errors }, 207);
}

/** One refused input of a multi-status batch create, named by its trace id. */
const itemError = (
  traceId: string,
  category: string,
  message: string,
  details: { message: string }[] = [],
): StandardError => ({
  ...standardError(category, message, { objectWriteTraceId: [traceId] }),
  errors: details.map((d) => ({ message: d.message })),
});

const notFoundError = (type: ObjectType, verb: string, ids: string[]) =>
  standardError(
    "OBJECT_NOT_FOUND",
    `Could not ${verb} some ${OBJECT_TYPES[type].singular.toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
    { ids },
  );

export function batchRoutes(
  app: Hono,
  state: HubSpotState,
  typeOf: (c: Context) => ObjectType,
): void {
  const { store } = state;

  app.post("/batch/read", async (c) => {
    const startedAt = new Date();
    const type = typeOf(c);
    const input = await readBody(c, ReadInput);
    const results = new Map<string, PublicObject>();
    const missing: string[] = [];
    for (const { id } of input.inputs) {
      const record = input.idProperty
        ? store.findByProperty(type, input.idProperty, id)
        : store.get(type, id);
      if (!record) missing.push(id);
      else results.set(record.id, toPublicObject(record, store, input));
    }
    const errors = missing.length > 0 ? [notFoundError(type, "get", missing)] : [];
    return batchResponse(c, [...results.values()], startedAt, errors);
  });

  app.post("/batch/update", async (c) => {
    const startedAt = new Date();
    const type = typeOf(c);
    const input = await readBody(c, UpdateInputs);
    const ids = input.inputs.map((i) => i.id);
    const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (dupes.length > 0)
      throw validationError(
        `Duplicate IDs found in batch input: [${[...new Set(dupes)].join(", ")}]. IDs must be unique`,
      );
    // Any invalid property refuses the whole batch before anything is written.
    for (const item of input.inputs)
      validatePropertyWrite(store.schema, type, item.properties, state.config.portalId, {
        creating: false,
      });
    const results: PublicObject[] = [];
    const missing: string[] = [];
    for (const item of input.inputs) {
      const record = store.get(type, item.id);
      if (!record) {
        missing.push(item.id);
        continue;
      }
      updateObject(state, record, item.properties, state.apiSource);
      results.push(toPublicObject(record, store, { properties: Object.keys(item.properties) }));
    }
    const errors = missing.length > 0 ? [notFoundError(type, "update", missing)] : [];
    return batchResponse(c, results, startedAt, errors);
  });

  // With an objectWriteTraceId on every input, HubSpot answers multi-status: each input is
  // created or refused on its own (207, the refused ones' errors naming their trace id). Without,
  // one refused input refuses the whole batch and nothing is created.
  app.post("/batch/create", async (c) => {
    const startedAt = new Date();
    const type = typeOf(c);
    const input = await readBody(c, CreateInputs);
    const traced = input.inputs.length > 0 && input.inputs.every((i) => i.objectWriteTraceId);
    if (!traced) {
      const creates = input.inputs.map((item) => planCreate(state, type, item));
      const results = input.inputs.map((item, i) =>
        toPublicObject(creates[i]!(state.apiSource), store, {
          properties: Object.keys(item.properties),
        }),
      );
      return batchResponse(c, results, startedAt, [], 201);
    }
    const traceIds = input.inputs.map((i) => i.objectWriteTraceId!);
    const dupes = traceIds.filter((id, i) => traceIds.indexOf(id) !== i);
    if (dupes.length > 0)
      throw validationError(
        `Duplicate objectWriteTraceIds found in batch input: [${[...new Set(dupes)].join(", ")}]`,
      );
    const faulted = state.faults.pick(c.req.method, c.req.path, [ITEM_FAULT]).length > 0;
    const results: PublicObject[] = [];
    const errors: StandardError[] = [];
    for (const [i, item] of input.inputs.entries()) {
      const traceId = item.objectWriteTraceId!;
      if (faulted && i === 0) {
        errors.push(itemError(traceId, "INTERNAL_ERROR", "internal error"));
        continue;
      }
      try {
        const record = createObject(state, type, item, state.apiSource);
        results.push(toPublicObject(record, store, { properties: Object.keys(item.properties) }));
      } catch (err) {
        if (!(err instanceof HubSpotError) || err.status >= 500) throw err;
        errors.push(itemError(traceId, err.body.category, err.body.message, err.body.errors));
      }
    }
    return batchResponse(c, results, startedAt, errors, 201);
  });

  // Finds each record by a unique property (contacts: email) and updates it, or creates it.
  app.post("/batch/upsert", async (c) => {
    const startedAt = new Date();
    const type = typeOf(c);
    const input = await readBody(c, UpsertInputs);
    for (const item of input.inputs) {
      const idProperty = item.idProperty ?? "hs_object_id";
      if (!(type === "contacts" && idProperty === "email"))
        throw validationError(
          `${idProperty} is not a unique property of ${OBJECT_TYPES[type].singular}; upsert by a unique property such as email`,
        );
      validatePropertyWrite(store.schema, type, item.properties, state.config.portalId, {
        creating: false,
      });
    }
    const keys = input.inputs.map((i) => i.id.toLowerCase());
    const dupes = keys.filter((k, i) => keys.indexOf(k) !== i);
    if (dupes.length > 0)
      throw validationError(
        `Duplicate IDs found in batch input: [${[...new Set(dupes)].join(", ")}]`,
      );
    const results = input.inputs.map((item) => {
      const shown = { properties: Object.keys(item.properties) };
      const found = store.findByProperty(type, "email", item.id);
      if (found) {
        updateObject(state, found, item.properties, state.apiSource);
        return { ...toPublicObject(found, store, shown), new: false };
      }
      const properties = { ...item.properties, email: item.id };
      const made = createObject(state, type, { properties, associations: [] }, state.apiSource);
      return { ...toPublicObject(made, store, shown), new: true };
    });
    return batchResponse(c, results, startedAt, []);
  });

  app.post("/batch/archive", async (c) => {
    const type = typeOf(c);
    const input = await readBody(c, ArchiveInputs);
    for (const { id } of input.inputs) {
      const record = store.get(type, id);
      if (record) store.archive(record, state.apiSource);
    }
    return c.body(null, 204);
  });
}
