import type { Context, Hono } from "hono";
import { leadAssignment } from "./assignment";
import type { DmlContext } from "./dml";
import { jsonParserError, unableToLockRow } from "./errors";
import type { SandboxState } from "./state";

// Request plumbing the route files share.

export type SfEnv = { Variables: { version: string } };
export type SfApp = Hono<SfEnv>;
export type SfContext = Context<SfEnv>;

/** Route prefix for the versioned REST API, e.g. /services/data/v62.0. */
export const API = "/services/data/:version{v[0-9]+\\.[0-9]}";

/** The request's DML settings; a bad `Sforce-Auto-Assign` value refuses the whole request. */
export function dmlContext(c: SfContext, state: SandboxState): DmlContext {
  const header = c.req.header("Sforce-Duplicate-Rule-Header") ?? "";
  return {
    store: state.store,
    version: c.get("version"),
    allowSave: /allowSave\s*=\s*true/i.test(header),
    assignment: leadAssignment(c.req.header("Sforce-Auto-Assign"), state.assignmentRules),
  };
}

export async function readJson(c: SfContext): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw jsonParserError(`Unexpected character in request body: ${detail}`);
  }
}

/** True when a lock_row fault fires for this request (or, in collections, for this record). */
export function lockRowFires(c: SfContext, state: SandboxState): boolean {
  return state.faults.pick(c.req.method, c.req.path, ["lock_row"]).length > 0;
}

export function throwIfLocked(c: SfContext, state: SandboxState, ids: string[]): void {
  if (lockRowFires(c, state)) throw unableToLockRow(ids);
}

export const recordUrl = (version: string, type: string, id: unknown) =>
  `/services/data/${version}/sobjects/${type}/${String(id)}`;
