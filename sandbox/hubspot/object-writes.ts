import { z } from "zod";
import { LIFECYCLE_ORDER } from "../../shared/contracts/sales";
import { associationType } from "./association-types";
import { errorBody, HubSpotError, validationError } from "./errors";
import { type PropertyWrite, validatePropertyWrite } from "./property-values";
import { OBJECT_TYPES, type ObjectType, resolveObjectType } from "./schema";
import type { HubSpotState } from "./state";
import type { ChangeSource, CrmRecord } from "./store";

const Id = z.union([z.string().min(1), z.number().int()]).transform(String);

export const AssociationInput = z.object({
  to: z.object({ id: Id }),
  types: z
    .array(z.object({ associationCategory: z.string(), associationTypeId: z.number().int() }))
    .min(1),
});
export const CreateInput = z.object({
  properties: z.record(z.string(), z.unknown()).default({}),
  associations: z.array(AssociationInput).default([]),
});
export const UpdateInput = z.object({ properties: z.record(z.string(), z.unknown()) });
export const IdInput = z.object({ id: Id });

type CreateInput = z.infer<typeof CreateInput>;
interface PlannedAssociation {
  target: CrmRecord;
  typeId: number;
}

/** Validates everything first so a refused create leaves nothing behind, as HubSpot does. */
export function createObject(
  state: HubSpotState,
  type: ObjectType,
  input: CreateInput,
  source: ChangeSource,
  at = Date.now(),
): CrmRecord {
  return planCreate(state, type, input)(source, at);
}

/**
 * Validates a create (throwing what HubSpot would refuse) and returns the write, to carry out
 * later: a batch checks every input before it creates any.
 */
export function planCreate(
  state: HubSpotState,
  type: ObjectType,
  input: CreateInput,
): (source: ChangeSource, at?: number) => CrmRecord {
  const write = validatePropertyWrite(
    state.store.schema,
    type,
    input.properties,
    state.config.portalId,
    {
      creating: true,
    },
  );
  const planned = planAssociations(state, type, input.associations);
  refuseDuplicateEmail(state, type, write);
  return (source, at = Date.now()) => {
    const record = state.store.create(type, write, source, at);
    for (const { target, typeId } of planned)
      state.store.associate(record, target, typeId, source, at);
    return record;
  };
}

/**
 * An API update unless `byUser` (a person in HubSpot's UI, who may move a lifecycle stage back).
 */
export function updateObject(
  state: HubSpotState,
  record: CrmRecord,
  properties: unknown,
  source: ChangeSource,
  { byUser = false }: { byUser?: boolean } = {},
): CrmRecord {
  const write = validatePropertyWrite(
    state.store.schema,
    record.type,
    properties,
    state.config.portalId,
    { creating: false },
  );
  refuseDuplicateEmail(state, record.type, write, record.id);
  if (!byUser) keepLifecycleForward(record, write);
  return state.store.update(record, write, source);
}

/**
 * HubSpot does not move a lifecycle stage backwards through the API: the write answers success
 * and the stage stays. Clearing it ('' in, null here) is applied, after which any stage may be set.
 */
function keepLifecycleForward(record: CrmRecord, write: PropertyWrite): void {
  const next = write.get("lifecyclestage");
  const current = record.properties.get("lifecyclestage");
  if (!next || !current) return;
  const rank = (stage: string) =>
    LIFECYCLE_ORDER.indexOf(stage as (typeof LIFECYCLE_ORDER)[number]);
  if (rank(next) < rank(current)) write.delete("lifecyclestage");
}

function planAssociations(
  state: HubSpotState,
  type: ObjectType,
  inputs: CreateInput["associations"],
): PlannedAssociation[] {
  const planned: PlannedAssociation[] = [];
  const missing: string[] = [];
  for (const input of inputs) {
    for (const spec of input.types) {
      const toType = targetTypeOf(type, spec.associationTypeId);
      if (!toType) {
        throw validationError(
          `${spec.associationCategory} association type ${spec.associationTypeId} is not valid from ${OBJECT_TYPES[type].singular}`,
          { subCategory: "crm.associations.INVALID_ASSOCIATION_TYPE" },
        );
      }
      const target = state.store.get(toType, input.to.id);
      if (!target) missing.push(`${OBJECT_TYPES[toType].singular} ${input.to.id}`);
      else planned.push({ target, typeId: spec.associationTypeId });
    }
  }
  if (missing.length > 0) {
    throw validationError("One or more associations are invalid", {
      errors: missing.map((m) => ({ message: `No ${m} exists`, code: "INVALID_OBJECT_IDS" })),
      context: { ids: missing.map((m) => m.split(" ")[1] ?? m) },
    });
  }
  return planned;
}

function targetTypeOf(from: ObjectType, typeId: number): ObjectType | undefined {
  for (const to of ["contacts", "companies", "notes"] as const) {
    if (associationType(from, to, typeId)) return to;
  }
  return undefined;
}

// Contact email is unique in a HubSpot portal; a second create with it is a 409.
function refuseDuplicateEmail(
  state: HubSpotState,
  type: ObjectType,
  write: PropertyWrite,
  selfId?: string,
): void {
  const email = write.get("email");
  if (type !== "contacts" || !email) return;
  const existing = state.store.contactWithEmail(email, selfId);
  if (existing) {
    throw new HubSpotError(
      409,
      errorBody("CONFLICT", `Contact already exists. Existing ID: ${existing.id}`),
    );
  }
}

/** Object type from a path segment such as `contacts`, `contact` or `0-1`. */
export function objectTypeOrThrow(name: string): ObjectType {
  const type = resolveObjectType(name);
  if (!type) throw validationError(`Unable to infer object type from: ${name}`);
  return type;
}
