import type { Context, Hono } from "hono";
import { z } from "zod";
import { FaultRule } from "../common/faults";
import { ASSIGNMENT_RULE_PREFIX } from "./assignment";
import { DEFAULT_SESSION_SECONDS } from "./auth";
import { convertLead } from "./convert";
import { SalesforceError } from "./errors";
import { applyHistory, HistoryBody, HistoryError } from "./history";
import type { SfEnv } from "./http";
import { normalizeId } from "./ids";
import { findObject } from "./schema";
import { seedDemoData } from "./seed";
import { DEFAULT_BATCH_SIZE, type SandboxState } from "./state";

// The sandbox's own control surface under /__sandbox (no auth): state, faults, counts, limits.

export const FAULT_KINDS = [
  "latency",
  "status",
  "lock_row",
  "expire_session",
  "request_limit",
] as const;

const KnownFault = FaultRule.refine((r) => (FAULT_KINDS as readonly string[]).includes(r.kind), {
  message: `kind must be one of ${FAULT_KINDS.join(", ")}`,
  path: ["kind"],
});
const FaultList = z.union([
  z.array(KnownFault),
  z.object({ rules: z.array(KnownFault) }).transform((b) => b.rules),
]);

const LimitsBody = z.object({
  dailyLimit: z.number().int().positive().optional(),
  used: z.number().int().nonnegative().optional(),
  sessionLifetimeSeconds: z.number().positive().optional(),
  expireEvery: z.number().int().positive().nullable().optional(),
  batchSize: z.number().int().min(1).max(DEFAULT_BATCH_SIZE).optional(),
});

const ConvertBody = z.object({
  convertedStatus: z.string().optional(),
  accountId: z.string().optional(),
  contactId: z.string().optional(),
  ownerId: z.string().optional(),
  opportunityName: z.string().optional(),
  doNotCreateOpportunity: z.boolean().optional(),
});

const AssignmentRuleBody = z.object({
  id: z.string(),
  ownerId: z.string(),
  active: z.boolean().default(true),
});

async function body<T>(c: Context, schema: z.ZodType<T>, fallback: unknown = {}): Promise<T> {
  const text = await c.req.text();
  let raw: unknown = fallback;
  if (text.trim()) {
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ControlError("body is not JSON");
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new ControlError(
      parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    );
  return parsed.data;
}

export class ControlError extends Error {}

function limits(state: SandboxState) {
  return {
    dailyLimit: state.usage.max,
    used: state.usage.used,
    sessionLifetimeSeconds: state.sessions.lifetimeMs / 1000,
    expireEvery: state.expireEvery,
    batchSize: state.batchSize,
  };
}

function resetAll(state: SandboxState): void {
  state.store.reset();
  state.cursors.clear();
  state.names.clear();
  state.faults.clear();
  state.counter.reset();
  state.requests.clear();
  state.assignmentRules.clear();
  state.alerts.length = 0;
  state.usage.used = 0;
  state.expireEvery = null;
  state.apiCalls = 0;
  state.batchSize = DEFAULT_BATCH_SIZE;
  state.sessions.lifetimeMs = DEFAULT_SESSION_SECONDS * 1000;
}

export function controlRoutes(app: Hono<SfEnv>, state: SandboxState): void {
  const base = "/__sandbox";

  app.post(`${base}/reset`, async (c) => {
    const { seed } = await body(c, z.object({ seed: z.boolean().optional() }));
    resetAll(state);
    const counts = seed ? seedDemoData(state.store) : undefined;
    return c.json({ ok: true, ...(counts ? { seeded: counts } : {}) });
  });

  app.post(`${base}/seed`, (c) => {
    state.store.reset();
    // Rules name users, and the users are replaced.
    state.assignmentRules.clear();
    state.cursors.clear();
    state.names.clear();
    return c.json({ ok: true, seeded: seedDemoData(state.store) });
  });

  app.get(`${base}/counts`, (c) => c.json(state.counter.snapshot()));
  app.post(`${base}/counts/reset`, (c) => {
    state.counter.reset();
    return c.json({ ok: true });
  });

  app.get(`${base}/faults`, (c) => c.json({ rules: state.faults.list() }));
  app.put(`${base}/faults`, async (c) => {
    state.faults.set(await body(c, FaultList));
    return c.json({ rules: state.faults.list() });
  });
  app.post(`${base}/faults`, async (c) => {
    state.faults.add(await body(c, KnownFault));
    return c.json({ rules: state.faults.list() });
  });
  app.delete(`${base}/faults`, (c) => {
    state.faults.clear();
    return c.json({ rules: [] });
  });

  app.get(`${base}/limits`, (c) => c.json(limits(state)));
  app.put(`${base}/limits`, async (c) => {
    const next = await body(c, LimitsBody);
    if (next.dailyLimit !== undefined) state.usage.max = next.dailyLimit;
    if (next.used !== undefined) state.usage.used = next.used;
    if (next.sessionLifetimeSeconds !== undefined)
      state.sessions.lifetimeMs = next.sessionLifetimeSeconds * 1000;
    if (next.expireEvery !== undefined) state.expireEvery = next.expireEvery;
    if (next.batchSize !== undefined) state.batchSize = next.batchSize;
    return c.json(limits(state));
  });

  // What clients sent: method, path and headers of the last API requests.
  app.get(`${base}/requests`, (c) => c.json({ requests: state.requests.list() }));
  app.delete(`${base}/requests`, (c) => {
    state.requests.clear();
    return c.json({ requests: [] });
  });

  // Lead assignment: one rule with one entry, "assign every Lead to this user" (see assignment.ts).
  const rules = () => ({
    active: state.assignmentRules.active() ?? null,
    rules: state.assignmentRules.list(),
  });
  app.get(`${base}/assignment-rule`, (c) => c.json(rules()));
  app.put(`${base}/assignment-rule`, async (c) => {
    const rule = await body(c, AssignmentRuleBody);
    const id = normalizeId(rule.id);
    if (!id?.startsWith(ASSIGNMENT_RULE_PREFIX))
      throw new ControlError(
        `id: not an AssignmentRule id (${ASSIGNMENT_RULE_PREFIX}…): ${rule.id}`,
      );
    const ownerId = normalizeId(rule.ownerId);
    const owner = ownerId ? state.store.get("User", ownerId) : undefined;
    if (!ownerId || !owner || owner.IsDeleted === true)
      throw new ControlError(`ownerId: no User ${rule.ownerId} in the org`);
    state.assignmentRules.set({ id, ownerId, active: rule.active });
    return c.json(rules());
  });
  app.delete(`${base}/assignment-rule`, (c) => {
    state.assignmentRules.clear();
    return c.json(rules());
  });

  // What the alert sink received (routes/sink.ts), oldest first.
  app.get(`${base}/alerts`, (c) => c.json({ alerts: state.alerts }));
  app.delete(`${base}/alerts`, (c) => {
    state.alerts.length = 0;
    return c.json({ alerts: [] });
  });

  app.post(`${base}/sessions/expire`, (c) => {
    state.sessions.expireAll();
    return c.json({ ok: true });
  });

  app.get(`${base}/records/:type`, (c) => {
    const def = findObject(c.req.param("type"));
    if (!def) return c.json({ error: `unknown sObject ${c.req.param("type")}` }, 404);
    const records = state.store.list(def.name, c.req.query("includeDeleted") === "true");
    return c.json({ type: def.name, totalSize: records.length, records });
  });

  // Dated history: writes as if made at past times (see history.ts).
  app.post(`${base}/history`, async (c) => {
    const { ops } = await body(c, HistoryBody);
    try {
      return c.json({ ok: true, ...applyHistory(state.store, state.names, ops) });
    } catch (err) {
      if (err instanceof HistoryError) throw new ControlError(err.message);
      throw err;
    }
  });

  app.post(`${base}/leads/:id/convert`, async (c) => {
    const opts = await body(c, ConvertBody);
    try {
      return c.json(convertLead(state.store, c.req.param("id"), opts));
    } catch (err) {
      if (err instanceof SalesforceError)
        return c.json({ error: err.errorCode, message: err.message }, err.status as 400);
      throw err;
    }
  });
}
