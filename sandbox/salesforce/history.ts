import { z } from "zod";
import { convertLead } from "./convert";
import { checkReferences } from "./dml";
import { checkLeadDuplicates, checkUnique } from "./duplicates";
import { SalesforceError } from "./errors";
import { normalizeId } from "./ids";
import { findField, findObject, type ObjectDef, objectForId } from "./schema";
import type { SfRecord, Store } from "./store";
import { checkRequired, defaultsFor, normalizeFields } from "./validation";

// Dated history (POST /__sandbox/history): writes replayed as if they had happened at past
// times, so benchmarks and demos get an org with months behind it. The org derives what
// Salesforce derives from each write's time (CreatedDate, LastModifiedDate, SystemModstamp,
// IsClosed/IsWon, OpportunityHistory rows, conversion fields); the REST API itself still
// refuses writes to those fields. Writes are checked like API writes, applied oldest first,
// all or none.

/** A record named by an earlier write (`as`), in this request or a previous one. */
const Ref = z.object({ ref: z.string().min(1) }).strict();
const Target = z.union([z.string().min(15), Ref]);
const At = z.union([z.string().min(1), z.number()]);
const Fields = z.record(z.string(), z.unknown());

const CreateOp = z.object({
  op: z.literal("create"),
  type: z.string(),
  as: z.string().min(1).optional(),
  at: At,
  by: Target.optional(),
  fields: Fields,
});
const UpdateOp = z.object({
  op: z.literal("update"),
  type: z.string(),
  id: Target,
  at: At,
  by: Target.optional(),
  fields: Fields,
});
const ConvertOp = z.object({
  op: z.literal("convert"),
  lead: Target,
  at: At,
  /** Names the new opportunity. */
  as: z.string().min(1).optional(),
  ownerId: Target.optional(),
  opportunityName: z.string().optional(),
  convertedStatus: z.string().optional(),
  doNotCreateOpportunity: z.boolean().optional(),
});

export const HistoryOp = z.discriminatedUnion("op", [CreateOp, UpdateOp, ConvertOp]);
export type HistoryOp = z.infer<typeof HistoryOp>;
export const HistoryBody = z.object({ ops: z.array(HistoryOp).min(1).max(500_000) });

export class HistoryError extends Error {}

const sfTimeMs = (value: unknown) =>
  typeof value === "string" ? Date.parse(value.replace(/\+0000$/, "Z")) : NaN;

function toMs(at: string | number): number {
  const ms = typeof at === "number" ? at : Date.parse(at);
  if (!Number.isFinite(ms)) throw new HistoryError(`at ${String(at)} is not a time`);
  return ms;
}

/**
 * Applies `ops` in time order (ties keep their order). A write may not be in the future nor
 * older than the record's last change; any failure undoes the whole request.
 */
export function applyHistory(
  store: Store,
  names: Map<string, string>,
  ops: HistoryOp[],
  now = Date.now(),
): { applied: number; ids: Record<string, string> } {
  const timed = ops
    .map((op, index) => ({ op, index, at: toMs(op.at) }))
    .sort((a, b) => a.at - b.at || a.index - b.index);
  const added = new Map<string, string>();
  const resolve = (target: z.infer<typeof Target>): string => {
    if (typeof target === "string") return normalizeId(target) ?? target;
    const id = added.get(target.ref) ?? names.get(target.ref);
    if (!id) throw new HistoryError(`unknown ref ${target.ref} (not named by an earlier write)`);
    return id;
  };
  store.begin();
  try {
    for (const { op, index, at } of timed) {
      try {
        if (at > now) throw new HistoryError(`at ${new Date(at).toISOString()} is in the future`);
        const id = applyOne(store, op, at, resolve);
        if ("as" in op && op.as && id) added.set(op.as, id);
      } catch (err) {
        const what =
          err instanceof SalesforceError
            ? `${err.errorCode}: ${err.message}`
            : err instanceof Error
              ? err.message
              : String(err);
        throw new HistoryError(
          `ops[${index}] (${op.op}${"type" in op ? ` ${op.type}` : ""}): ${what}`,
        );
      }
    }
    store.commit();
  } catch (err) {
    store.rollback();
    throw err;
  }
  for (const [name, id] of added) names.set(name, id);
  return { applied: ops.length, ids: Object.fromEntries(added) };
}

function applyOne(
  store: Store,
  op: HistoryOp,
  at: number,
  resolve: (t: z.infer<typeof Target>) => string,
): string | null {
  const by = "by" in op && op.by ? user(store, resolve(op.by)) : undefined;
  if (op.op === "convert") {
    const lead = resolve(op.lead);
    const opts = {
      at,
      ...(op.ownerId ? { ownerId: user(store, resolve(op.ownerId)) } : {}),
      ...(op.opportunityName ? { opportunityName: op.opportunityName } : {}),
      ...(op.convertedStatus ? { convertedStatus: op.convertedStatus } : {}),
      ...(op.doNotCreateOpportunity ? { doNotCreateOpportunity: true } : {}),
    };
    const record = store.get("Lead", lead);
    if (record) notBefore(record, at);
    return convertLead(store, lead, opts).opportunityId;
  }
  const def = writable(op.type, op.op === "create" ? "inserted" : "updated");
  const fields = resolveRefs(op.fields, resolve);
  if (op.op === "create") {
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
      values.OwnerId = by ?? store.integrationUserId;
    checkRequired(def, values);
    checkReferences(store, def, values);
    checkUnique(store, def, values);
    if (def.name === "Lead") checkLeadDuplicates(store, values, "v62.0", false);
    return store.insert(def.name, values, { at, ...(by ? { by } : {}) }).Id as string;
  }
  const id = resolve(op.id);
  const record = objectForId(id)?.name === def.name ? store.get(def.name, id) : undefined;
  if (!record || record.IsDeleted === true)
    throw new SalesforceError(404, "NOT_FOUND", `no ${def.name} ${id}`);
  if (def.name === "Lead" && record.IsConverted === true)
    throw new SalesforceError(
      400,
      "CANNOT_UPDATE_CONVERTED_LEAD",
      "cannot reference converted lead",
      [],
    );
  notBefore(record, at);
  const values = normalizeFields(def, fields, "update");
  const merged = { ...record, ...values };
  checkRequired(def, merged);
  checkReferences(store, def, values);
  checkUnique(store, def, merged);
  store.patch(def.name, id, values, { at, ...(by ? { by } : {}) });
  return id;
}

function user(store: Store, id: string): string {
  const row = store.get("User", id);
  if (!row || row.IsDeleted === true) throw new HistoryError(`${id} is not a user of this org`);
  return id;
}

function writable(type: string, verb: "inserted" | "updated"): ObjectDef {
  const def = findObject(type);
  if (!def) throw new SalesforceError(404, "NOT_FOUND", `unknown sObject ${type}`);
  if (!(verb === "inserted" ? def.createable : def.updateable)) {
    throw new SalesforceError(
      400,
      "INVALID_TYPE_FOR_OPERATION",
      `entity type cannot be ${verb}: ${def.label}`,
      [],
    );
  }
  return def;
}

/** A record's history cannot run backwards: no write before its last change. */
function notBefore(record: SfRecord, at: number): void {
  const last = sfTimeMs(record.SystemModstamp);
  if (Math.floor(at / 1000) * 1000 < last)
    throw new HistoryError(
      `${String(record.Id)} was last changed at ${String(record.SystemModstamp)}, after ${new Date(at).toISOString()}`,
    );
}

function resolveRefs(
  fields: Record<string, unknown>,
  resolve: (t: z.infer<typeof Target>) => string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    const ref = Ref.safeParse(value);
    out[key] = ref.success ? resolve(ref.data) : value;
  }
  return out;
}
