import { type Context, Hono } from "hono";
import type { Connection } from "jsforce";
import { createClients } from "../../shared/clients";
import {
  RoutingPreviewRequestSchema,
  RoutingQuerySchema,
  RoutingUpdateSchema,
} from "../../shared/contracts/admin";
import type { Routing } from "../../shared/contracts/routing";
import {
  latestRouting,
  listRoutings,
  type RoutingVersion,
  routingVersion,
  saveRouting,
} from "../../shared/db/routings";
import { ErrorCode, type FieldError, HttpError } from "../../shared/errors";
import type { HonoEnv } from "../../shared/hono-env";
import { hasValidChecksum, userKey } from "../../shared/salesforce/ids";
import { readRoutingUsers, type SalesforceUserRow } from "../../shared/salesforce/users";
import { orgTimeZoneProblem, readOrgTimeZone, userProblems } from "./routing-check";
import { handoffsSince, RoutingSimulation } from "./routing-preview";
import { iso, readJson, readQuery } from "./validate";

const DAY = 86_400_000;

const toView = (v: RoutingVersion) => ({
  version: v.version,
  routing: v.routing,
  createdAt: iso(v.createdAt)!,
  createdBy: v.createdBy,
  note: v.note,
});

const NO_ROUTING =
  "No routing saved yet: new Leads follow SALESFORCE_LEAD_ASSIGNMENT (docs/routing.md)";

/**
 * GET /admin/routing[?version=N], GET /admin/routing/versions, PUT /admin/routing: every change is
 * a new version, saved only once Salesforce knows every user it names as active (docs/routing.md);
 * POST /admin/routing/preview: how a proposal would have spread the last days' new Leads.
 */
export const routing = new Hono<HonoEnv>();

routing.get("/routing", async (c) => {
  const { version } = readQuery(c, RoutingQuerySchema);
  if (version === undefined) {
    const latest = await latestRouting(c.env.DB);
    return c.json(latest ? toView(latest) : { version: null, routing: null, note: NO_ROUTING });
  }
  const found = await routingVersion(c.env.DB, version);
  if (!found) throw new HttpError(ErrorCode.NotFound, `No routing version ${version}`);
  return c.json(toView(found));
});

routing.get("/routing/versions", async (c) =>
  c.json({ versions: (await listRoutings(c.env.DB)).map(toView) }),
);

routing.put("/routing", async (c) => {
  const body = await readJson(c, RoutingUpdateSchema);
  const checked = await checkAgainstSalesforce(c, body.routing);
  let saved: RoutingVersion;
  try {
    saved = await saveRouting(
      c.env.DB,
      checked.routing,
      c.get("adminActor") ?? "admin",
      body.note || undefined,
    );
  } catch (err) {
    // Two writers raced for the same version number; the loser asks again.
    if (String(err).includes("UNIQUE"))
      throw new HttpError(
        ErrorCode.Conflict,
        "Another routing update landed at the same time; read the routing and try again",
      );
    throw err;
  }
  c.get("log").info("routing_updated", {
    version: saved.version,
    pools: saved.routing.pools.length,
    members: saved.routing.pools.reduce((n, p) => n + p.members.length, 0),
    timeZoneFrom: checked.timeZoneFromOrg ? "org" : "document",
  });
  return c.json(toView(saved), 201);
});

routing.post("/routing/preview", async (c) => {
  const body = await readJson(c, RoutingPreviewRequestSchema);
  const proposal = body.routing;
  const inForce = (await latestRouting(c.env.DB))?.routing.timeZone;
  const { users, orgTimeZone, zoneProblem } = await readUsersAndTimeZone(
    c,
    proposal,
    proposal.timeZone ?? inForce,
    "to read the routing's users for the preview",
  );
  if (zoneProblem)
    throw new HttpError(ErrorCode.Validation, `timeZone: ${zoneProblem.problem}`, [zoneProblem]);
  // What assignment would skip: ids Salesforce does not know, or knows as inactive.
  const active = new Set(users.filter((u) => u.IsActive).map((u) => userKey(u.Id)));
  const timeZone = proposal.timeZone ?? inForce ?? orgTimeZone!;
  const simulation = new RoutingSimulation(
    proposal,
    timeZone,
    (id) => hasValidChecksum(id) && active.has(userKey(id)),
  );
  const now = Date.now();
  const from = now - body.days * DAY;
  for await (const handoff of handoffsSince(c.env.DB, from)) simulation.add(handoff);
  const preview = simulation.result({ days: body.days, from: iso(from)!, to: iso(now)! });
  c.get("log").info("routing_previewed", {
    days: preview.days,
    handoffs: preview.handoffs,
    pools: preview.pools.length,
    fallback: preview.fallback.leads,
  });
  return c.json(preview);
});

/**
 * The routing as it will be saved (the org's time zone filled in when the document has none), or
 * a 400 naming each user Salesforce does not know or knows as inactive. One User query, plus one
 * Organization query without a timeZone; Salesforce out of reach is a 503, nothing saved.
 */
async function checkAgainstSalesforce(
  c: Context<HonoEnv>,
  routing: Routing,
): Promise<{ routing: Routing; timeZoneFromOrg: boolean }> {
  const { users, orgTimeZone, zoneProblem } = await readUsersAndTimeZone(
    c,
    routing,
    routing.timeZone,
    "to check the routing's users (nothing saved)",
  );
  const problems: FieldError[] = userProblems(routing, users);
  if (zoneProblem) problems.push(zoneProblem);
  if (problems.length) {
    const first = problems[0]!;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
    c.get("log").info("routing_refused", { problems: problems.length });
    throw new HttpError(
      ErrorCode.Validation,
      `The routing does not fit Salesforce (nothing saved): ${first.field}: ${first.problem}${more}`,
      problems,
    );
  }
  return {
    routing: orgTimeZone === undefined ? routing : { ...routing, timeZone: orgTimeZone },
    timeZoneFromOrg: orgTimeZone !== undefined,
  };
}

/**
 * The Users a routing names and, while no time zone is known, the org's with why it cannot be
 * used (null: it can): one User query, plus one Organization query without a time zone.
 */
async function readUsersAndTimeZone(
  c: Context<HonoEnv>,
  routing: Routing,
  timeZone: string | undefined,
  why: string,
): Promise<{
  users: SalesforceUserRow[];
  orgTimeZone: string | undefined;
  zoneProblem: FieldError | null;
}> {
  const [users, orgTimeZone] = await fromSalesforce(
    c,
    (conn) =>
      Promise.all([
        readRoutingUsers(conn, routing),
        timeZone === undefined ? readOrgTimeZone(conn) : undefined,
      ]),
    why,
  );
  const zoneProblem = orgTimeZone === undefined ? null : orgTimeZoneProblem(orgTimeZone);
  return { users, orgTimeZone, zoneProblem };
}

/** What `read` answers from Salesforce; out of reach (login, 5xx, timeout) is a 503. */
async function fromSalesforce<T>(
  c: Context<HonoEnv>,
  read: (conn: Connection) => Promise<T>,
  why: string,
): Promise<T> {
  try {
    return await read(await createClients(c.get("config"), c.env).salesforce());
  } catch (err) {
    c.get("log").warn("routing_check_failed", { error: String(err).slice(0, 200) });
    throw new HttpError(
      ErrorCode.Unavailable,
      `Salesforce could not be reached ${why}: try again. ${String(err).slice(0, 200)}`,
    );
  }
}
