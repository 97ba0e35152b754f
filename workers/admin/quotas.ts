import { type Context, Hono } from "hono";
import { createClients } from "../../shared/clients";
import { QuotasUpdateSchema, RepParamSchema, RepUpdateSchema } from "../../shared/contracts/admin";
import { readQuotas, readReps, replaceQuotas, setRepStartDate } from "../../shared/db/quotas";
import { ErrorCode, type FieldError, HttpError } from "../../shared/errors";
import type { HonoEnv } from "../../shared/hono-env";
import { salesforceId18 } from "../../shared/salesforce/ids";
import { findRep, quotaKeys, type RepUser, readRepUsers, repProblem } from "./rep-check";
import { readJson, readParams } from "./validate";

/**
 * GET/PUT /admin/quotas: each rep's standing (`*`) and monthly (YYYY-MM) quota; GET /admin/reps
 * and PUT /admin/reps/:userId: the start date time to ramp counts from, Salesforce's
 * Start_Date__c unless an admin set one (docs/admin.md#quotas-reps-and-ramp). Writes save only
 * once Salesforce knows every rep named.
 */
export const quotas = new Hono<HonoEnv>();

quotas.get("/quotas", async (c) => c.json({ reps: await readQuotas(c.env.DB) }));

quotas.put("/quotas", async (c) => {
  const body = await readJson(c, QuotasUpdateSchema);
  const shapeProblems = body.reps.flatMap((r, i): FieldError[] => {
    const months = r.quotas.map((q) => q.month);
    const dup = months.findIndex((m, j) => months.indexOf(m) !== j);
    return dup >= 0
      ? [
          {
            index: null,
            field: `reps[${i}].quotas[${dup}].month`,
            problem: `${months[dup]} is listed twice for ${r.rep}`,
          },
        ]
      : [];
  });
  if (shapeProblems.length) throw refused(shapeProblems);

  const users = await fromSalesforce(
    c,
    body.reps.map((r) => r.rep),
  );
  // Compared once Salesforce has resolved them: one User named by Id and by Username is one rep.
  const userIds = body.reps.map((r) => findRep(r.rep, users)?.Id.slice(0, 15));
  const problems = body.reps.flatMap((r, i): FieldError[] => {
    const problem = repProblem(r.rep, `reps[${i}].rep`, users, r.quotas.length > 0);
    if (problem) return [problem];
    const first = userIds.indexOf(userIds[i]);
    return first !== i
      ? [
          {
            index: null,
            field: `reps[${i}].rep`,
            problem: `${r.rep} is listed twice: reps[${first}].rep names the same User`,
          },
        ]
      : [];
  });
  if (problems.length) {
    c.get("log").info("quotas_refused", { problems: problems.length });
    throw refused(problems);
  }
  await replaceQuotas(
    c.env.DB,
    body.reps.map((r) => ({ ...quotaKeys(r.rep, findRep(r.rep, users)!), quotas: r.quotas })),
  );
  c.get("log").info("quotas_updated", {
    reps: body.reps.length,
    rows: body.reps.reduce((n, r) => n + r.quotas.length, 0),
  });
  return c.json({ reps: await readQuotas(c.env.DB) });
});

quotas.get("/reps", async (c) => c.json({ reps: await readReps(c.env.DB) }));

quotas.put("/reps/:userId", async (c) => {
  const { userId } = readParams(c, RepParamSchema);
  const { startDate } = await readJson(c, RepUpdateSchema);
  const users = await fromSalesforce(c, [userId]);
  const problem = repProblem(userId, "path.userId", users, false);
  if (problem) throw refused([problem]);
  const id18 = salesforceId18(userId.slice(0, 15));
  await setRepStartDate(c.env.DB, id18, startDate, c.get("adminActor") ?? "admin");
  c.get("log").info("rep_start_date_set", { override: startDate !== null });
  const [rep] = await readReps(c.env.DB, id18);
  return c.json(rep);
});

function refused(problems: FieldError[]): HttpError {
  const first = problems[0]!;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
  return new HttpError(
    ErrorCode.Validation,
    `Nothing saved: ${first.field}: ${first.problem}${more}`,
    problems,
  );
}

/** The Users the reps name, in one query; Salesforce out of reach is a 503, nothing saved. */
async function fromSalesforce(c: Context<HonoEnv>, reps: string[]): Promise<RepUser[]> {
  try {
    const conn = await createClients(c.get("config"), c.env).salesforce();
    return await readRepUsers(conn, reps);
  } catch (err) {
    c.get("log").warn("rep_check_failed", { error: String(err).slice(0, 200) });
    throw new HttpError(
      ErrorCode.Unavailable,
      `Salesforce could not be reached to check the reps (nothing saved): try again. ${String(err).slice(0, 200)}`,
    );
  }
}
