import { type Context, Hono } from "hono";
import { z } from "zod";
import { associationType, defaultAssociationType } from "../association-types";
import { objectNotFound, type StandardError, standardError, validationError } from "../errors";
import { objectTypeOrThrow } from "../object-writes";
import { intQuery, readBody } from "../request";
import { OBJECT_TYPES, type ObjectType } from "../schema";
import type { HubSpotState } from "../state";
import type { CrmRecord } from "../store";
import { batchResponse } from "./batch";

const MAX_BATCH = 1000;
const Id = z.union([z.string().min(1), z.number().int()]).transform(String);
const ObjectId = z.object({ id: Id });
const Spec = z.object({ associationCategory: z.string(), associationTypeId: z.number().int() });

const ReadInput = z.object({
  inputs: z.array(ObjectId.extend({ after: z.string().optional() })).max(MAX_BATCH),
});
const DefaultInputs = z.object({
  inputs: z.array(z.object({ from: ObjectId, to: ObjectId })).max(MAX_BATCH),
});
const CreateInputs = z.object({
  inputs: z
    .array(z.object({ from: ObjectId, to: ObjectId, types: z.array(Spec).min(1) }))
    .max(MAX_BATCH),
});
const ArchiveInputs = z.object({
  inputs: z.array(z.object({ from: ObjectId, to: z.array(ObjectId) })).max(MAX_BATCH),
});

/** The v4 label-aware association API between contacts, companies and notes. */
export function associationRoutes(state: HubSpotState): Hono {
  const app = new Hono();
  const { store } = state;
  const pair = (c: Context, fromParam: string, toParam: string): [ObjectType, ObjectType] => [
    objectTypeOrThrow(c.req.param(fromParam) ?? ""),
    objectTypeOrThrow(c.req.param(toParam) ?? ""),
  ];
  const mustGet = (type: ObjectType, id: string): CrmRecord => {
    const record = store.get(type, id);
    if (!record) throw objectNotFound();
    return record;
  };
  const labelled = (from: ObjectType, to: ObjectType, typeIds: number[]) =>
    typeIds.map((typeId) => ({
      category: "HUBSPOT_DEFINED",
      typeId,
      label: associationType(from, to, typeId)?.label ?? null,
    }));
  const targets = (from: CrmRecord, to: ObjectType) =>
    store.associations.list(from.type, from.id, to).filter((t) => store.get(to, t.toId));
  const defaultType = (from: ObjectType, to: ObjectType) => {
    const type = defaultAssociationType(from, to);
    if (!type) throw validationError(`No default association type exists from ${from} to ${to}`);
    return type;
  };
  // Both directions, as HubSpot reports a default association it created.
  const defaultResults = (from: CrmRecord, to: CrmRecord) => {
    const type = defaultType(from.type, to.type);
    store.associate(from, to, type.typeId, state.apiSource);
    return [
      {
        from: { id: from.id },
        to: { id: to.id },
        associationSpec: { associationCategory: "HUBSPOT_DEFINED", associationTypeId: type.typeId },
      },
      {
        from: { id: to.id },
        to: { id: from.id },
        associationSpec: {
          associationCategory: "HUBSPOT_DEFINED",
          associationTypeId: type.inverse,
        },
      },
    ];
  };
  const labelsBetween = (from: CrmRecord, to: CrmRecord) => ({
    fromObjectTypeId: OBJECT_TYPES[from.type].typeId,
    fromObjectId: from.id,
    toObjectTypeId: OBJECT_TYPES[to.type].typeId,
    toObjectId: to.id,
    labels: store.associations
      .typeIds(from.type, from.id, to.type, to.id)
      .flatMap((id) => associationType(from.type, to.type, id)?.label ?? []),
  });

  app.post("/associations/:fromObjectType/:toObjectType/batch/read", async (c) => {
    const startedAt = new Date();
    const [from, to] = pair(c, "fromObjectType", "toObjectType");
    const input = await readBody(c, ReadInput);
    const results = [];
    const errors: StandardError[] = [];
    for (const { id } of input.inputs) {
      const record = store.get(from, id);
      const found = record ? targets(record, to) : [];
      if (!record || found.length === 0) {
        errors.push(
          standardError(
            "OBJECT_NOT_FOUND",
            `No ${OBJECT_TYPES[to].singular} is associated with ${OBJECT_TYPES[from].singular} ${id}.`,
            {
              fromObjectId: [id],
            },
          ),
        );
        continue;
      }
      results.push({
        from: { id: record.id },
        to: found.map((t) => ({
          toObjectId: t.toId,
          associationTypes: labelled(from, to, t.typeIds),
        })),
      });
    }
    return batchResponse(c, results, startedAt, errors);
  });

  app.post("/associations/:fromObjectType/:toObjectType/batch/associate/default", async (c) => {
    const startedAt = new Date();
    const [from, to] = pair(c, "fromObjectType", "toObjectType");
    const input = await readBody(c, DefaultInputs);
    const records = input.inputs.map(
      (i) => [mustGet(from, i.from.id), mustGet(to, i.to.id)] as const,
    );
    return batchResponse(
      c,
      records.flatMap(([a, b]) => defaultResults(a, b)),
      startedAt,
      [],
    );
  });

  app.post("/associations/:fromObjectType/:toObjectType/batch/create", async (c) => {
    const startedAt = new Date();
    const [from, to] = pair(c, "fromObjectType", "toObjectType");
    const input = await readBody(c, CreateInputs);
    const planned = input.inputs.map((i) => ({
      a: mustGet(from, i.from.id),
      b: mustGet(to, i.to.id),
      types: checkTypes(from, to, i.types),
    }));
    for (const { a, b, types } of planned)
      for (const t of types) store.associate(a, b, t, state.apiSource);
    return batchResponse(
      c,
      planned.map(({ a, b }) => labelsBetween(a, b)),
      startedAt,
      [],
      201,
    );
  });

  app.post("/associations/:fromObjectType/:toObjectType/batch/archive", async (c) => {
    const [from, to] = pair(c, "fromObjectType", "toObjectType");
    const input = await readBody(c, ArchiveInputs);
    for (const item of input.inputs) {
      const a = store.get(from, item.from.id);
      for (const target of item.to) {
        const b = store.get(to, target.id);
        if (a && b) store.dissociate(a, b, state.apiSource);
      }
    }
    return c.body(null, 204);
  });

  app.put(
    "/objects/:fromObjectType/:fromObjectId/associations/default/:toObjectType/:toObjectId",
    (c) => {
      const startedAt = new Date();
      const [from, to] = pair(c, "fromObjectType", "toObjectType");
      const a = mustGet(from, c.req.param("fromObjectId"));
      const b = mustGet(to, c.req.param("toObjectId"));
      return batchResponse(c, defaultResults(a, b), startedAt, []);
    },
  );

  app.put("/objects/:objectType/:objectId/associations/:toObjectType/:toObjectId", async (c) => {
    const [from, to] = pair(c, "objectType", "toObjectType");
    const a = mustGet(from, c.req.param("objectId"));
    const b = mustGet(to, c.req.param("toObjectId"));
    const specs = await readBody(c, z.array(Spec).min(1));
    for (const t of checkTypes(from, to, specs)) store.associate(a, b, t, state.apiSource);
    return c.json(labelsBetween(a, b), 201);
  });

  app.get("/objects/:objectType/:objectId/associations/:toObjectType", (c) => {
    const [from, to] = pair(c, "objectType", "toObjectType");
    const record = mustGet(from, c.req.param("objectId"));
    const limit = Math.min(intQuery(c, "limit", 500), 500);
    const offset = intQuery(c, "after", 0);
    const all = targets(record, to);
    const results = all
      .slice(offset, offset + limit)
      .map((t) => ({ toObjectId: t.toId, associationTypes: labelled(from, to, t.typeIds) }));
    const next = offset + results.length;
    if (next >= all.length || results.length === 0) return c.json({ results });
    const link = new URL(c.req.url);
    link.searchParams.set("after", String(next));
    return c.json({ results, paging: { next: { after: String(next), link: link.toString() } } });
  });

  app.delete("/objects/:objectType/:objectId/associations/:toObjectType/:toObjectId", (c) => {
    const [from, to] = pair(c, "objectType", "toObjectType");
    const a = store.get(from, c.req.param("objectId"));
    const b = store.get(to, c.req.param("toObjectId"));
    if (a && b) store.dissociate(a, b, state.apiSource);
    return c.body(null, 204);
  });

  return app;
}

function checkTypes(from: ObjectType, to: ObjectType, specs: z.infer<typeof Spec>[]): number[] {
  return specs.map((s) => {
    if (!associationType(from, to, s.associationTypeId)) {
      throw validationError(
        `${s.associationCategory} association type ${s.associationTypeId} is not valid from ${from} to ${to}`,
      );
    }
    return s.associationTypeId;
  });
}
