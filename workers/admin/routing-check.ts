import type { Connection } from "jsforce";
import { z } from "zod";
import { type Routing, TimeZoneSchema } from "../../shared/contracts/routing";
import type { FieldError } from "../../shared/errors";
import { hasValidChecksum, userKey } from "../../shared/salesforce/ids";
import type { SalesforceUserRow } from "../../shared/salesforce/users";

// What PUT /admin/routing checks against Salesforce before it saves (docs/routing.md#validation):
// every user the routing names exists and is active, and the time zone the day caps count in.

/** Where each user id sits in the routing, as a path an admin can find it by. */
function userIdPlaces(routing: Routing): { id: string; path: string }[] {
  return [
    ...routing.pools.flatMap((pool, i) => [
      ...pool.members.map((m, j) => ({ id: m.userId, path: `pools[${i}].members[${j}].userId` })),
      ...(pool.managerUserId
        ? [{ id: pool.managerUserId, path: `pools[${i}].managerUserId` }]
        : []),
    ]),
    ...(routing.fallbackOwnerId ? [{ id: routing.fallbackOwnerId, path: "fallbackOwnerId" }] : []),
  ];
}

/**
 * Each place naming a user Salesforce does not know, or one it knows as inactive; pure. Ids match
 * on their first 15 characters (the case-sensitive id; Salesforce answers with 18).
 */
export function userProblems(routing: Routing, found: SalesforceUserRow[]): FieldError[] {
  const byId = new Map(found.map((u) => [userKey(u.Id), u]));
  return userIdPlaces(routing).flatMap(({ id, path }): FieldError[] => {
    if (!hasValidChecksum(id))
      return [
        {
          index: null,
          field: path,
          problem: `${id} is not a Salesforce Id: its last three characters do not fit the first 15`,
        },
      ];
    const user = byId.get(userKey(id));
    if (!user)
      return [{ index: null, field: path, problem: `${id} is not a User in this Salesforce org` }];
    if (!user.IsActive)
      return [
        {
          index: null,
          field: path,
          problem: `${id}${user.Name ? ` (${user.Name})` : ""} is inactive in Salesforce`,
        },
      ];
    return [];
  });
}

/** The org's time zone (Organization.TimeZoneSidKey), as Salesforce names it. */
export async function readOrgTimeZone(conn: Connection): Promise<string> {
  const { records } = await conn.query<Record<string, unknown>>(
    "SELECT TimeZoneSidKey FROM Organization",
  );
  return z.object({ TimeZoneSidKey: z.string() }).parse(records[0]).TimeZoneSidKey;
}

/** Null when the runtime knows the org's time zone, else why it cannot be used. */
export function orgTimeZoneProblem(timeZone: string): FieldError | null {
  if (TimeZoneSchema.safeParse(timeZone).success) return null;
  return {
    index: null,
    field: "timeZone",
    problem: `the org's time zone "${timeZone}" is not an IANA time zone Leadbridge knows: set timeZone in the routing`,
  };
}
