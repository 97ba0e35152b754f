import type { Context, Hono } from "hono";
import { z } from "zod";
import { validationError } from "../errors";
import type { PropertySchema } from "../property-schema";
import { readBody } from "../request";
import { OBJECT_TYPES, type ObjectType } from "../schema";
import { matchesGroups, matchesQuery, OPERATORS, type Sort, sortRecords } from "../search-filter";
import { toPublicObject } from "../serialize";
import type { HubSpotState } from "../state";

const MAX_LIMIT = 200;
const MAX_RESULTS = 10_000;
const MAX_GROUPS = 6;
const MAX_FILTERS = 18;

const Scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const FilterInput = z.object({
  propertyName: z.string().min(1),
  operator: z.enum(OPERATORS),
  value: Scalar.optional(),
  highValue: Scalar.optional(),
  values: z.array(Scalar).optional(),
});

// The documents type sorts as strings; live HubSpot (and most scripts) send
// {propertyName, direction}.
const SortInput = z.union([
  z
    .string()
    .transform(
      (s): Sort =>
        s.startsWith("-")
          ? { propertyName: s.slice(1), direction: "DESCENDING" }
          : { propertyName: s, direction: "ASCENDING" },
    ),
  z.object({
    propertyName: z.string(),
    direction: z.enum(["ASCENDING", "DESCENDING"]).default("ASCENDING"),
  }),
]);

const SearchInput = z.object({
  filterGroups: z.array(z.object({ filters: z.array(FilterInput) })).default([]),
  sorts: z.array(SortInput).default([]),
  query: z.string().max(3000).optional(),
  properties: z.array(z.string()).default([]),
  limit: z.number().int().min(0).default(10),
  after: z.union([z.string(), z.number()]).optional(),
});

export function searchRoutes(
  app: Hono,
  state: HubSpotState,
  typeOf: (c: Context) => ObjectType,
): void {
  app.post("/search", async (c) => {
    const type = typeOf(c);
    const input = await readBody(c, SearchInput);
    const offset = input.after === undefined || input.after === "" ? 0 : Number(input.after);
    checkLimits(type, input, offset, state.store.schema);
    const { searchable } = OBJECT_TYPES[type];
    const matched = state.store
      .list(type)
      .filter((r) => matchesGroups(r, input.filterGroups, state.store.schema))
      .filter((r) => !input.query || matchesQuery(r, input.query, searchable));
    const sorted = sortRecords(matched, input.sorts, type, state.store.schema);
    const page = sorted.slice(offset, offset + input.limit);
    const results = page.map((r) =>
      toPublicObject(r, state.store, { properties: input.properties }),
    );
    const nextOffset = offset + page.length;
    const body: Record<string, unknown> = { total: matched.length, results };
    if (nextOffset < matched.length && page.length > 0)
      body.paging = { next: { after: String(nextOffset) } };
    return c.json(body);
  });
}

function checkLimits(
  type: ObjectType,
  input: z.infer<typeof SearchInput>,
  offset: number,
  schema: PropertySchema,
): void {
  if (input.limit > MAX_LIMIT)
    throw validationError(
      `Invalid input: limit must be less than or equal to ${MAX_LIMIT}, got ${input.limit}`,
    );
  if (!Number.isInteger(offset) || offset < 0)
    throw validationError(
      `Invalid input: after must be a non-negative integer offset, got ${input.after}`,
    );
  if (offset + input.limit > MAX_RESULTS) {
    throw validationError(
      `Invalid input: the search API returns at most ${MAX_RESULTS} results; after ${offset} + limit ${input.limit} is beyond that`,
    );
  }
  if (input.filterGroups.length > MAX_GROUPS)
    throw validationError(`Invalid input: at most ${MAX_GROUPS} filterGroups are allowed`);
  const filters = input.filterGroups.flatMap((g) => g.filters);
  if (filters.length > MAX_FILTERS)
    throw validationError(`Invalid input: at most ${MAX_FILTERS} filters are allowed in total`);
  for (const f of [
    ...filters.map((x) => x.propertyName),
    ...input.sorts.map((s) => s.propertyName),
  ]) {
    if (!schema.get(type, f))
      throw validationError(`Property "${f}" does not exist on ${OBJECT_TYPES[type].singular}`);
  }
}
