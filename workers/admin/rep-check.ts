import type { Connection } from "jsforce";
import { z } from "zod";
import type { FieldError } from "../../shared/errors";
import { hasValidChecksum, salesforceId18, userKey } from "../../shared/salesforce/ids";
import { soqlString } from "../../shared/salesforce/soql-in";

// What PUT /admin/quotas and PUT /admin/reps/:userId check against Salesforce before they save
// (docs/admin.md#quotas-reps-and-ramp): every rep named is a User of the org.

export const RepUserSchema = z.object({
  Id: z.string(),
  Username: z.string(),
  Name: z.string().nullable(),
  IsActive: z.boolean(),
});
export type RepUser = z.infer<typeof RepUserSchema>;

const isUserId = (rep: string) => /^005/.test(rep) && !rep.includes("@");

/**
 * The Users named by Id or Username, in one SOQL query (PUT /admin/quotas takes at most 100 reps,
 * well inside one request URI). Ids with a wrong checksum are left out: Salesforce would refuse
 * the whole query for one of them, and repProblems names them.
 */
export async function readRepUsers(conn: Connection, reps: string[]): Promise<RepUser[]> {
  const ids = reps.filter((r) => isUserId(r) && hasValidChecksum(r));
  const names = reps.filter((r) => !isUserId(r));
  const where = [
    ...(ids.length ? [`Id IN (${ids.map(soqlString).join(", ")})`] : []),
    ...(names.length ? [`Username IN (${names.map(soqlString).join(", ")})`] : []),
  ];
  if (!where.length) return [];
  const { records } = await conn.query<Record<string, unknown>>(
    `SELECT Id, Username, Name, IsActive FROM User WHERE ${where.join(" OR ")}`,
    { autoFetch: true },
  );
  return records.map((r) => RepUserSchema.parse(r));
}

/** The User a rep names: by its first 15 Id characters, or by Username (case-insensitive). */
export function findRep(rep: string, users: RepUser[]): RepUser | undefined {
  return isUserId(rep)
    ? users.find((u) => userKey(u.Id) === userKey(rep))
    : users.find((u) => u.Username.toLowerCase() === rep.toLowerCase());
}

/**
 * Why a rep cannot be saved at `field`, or null; pure. A quota for an inactive User is refused
 * (nobody would meet it), but removing one (`settingQuotas` false) is not.
 */
export function repProblem(
  rep: string,
  field: string,
  users: RepUser[],
  settingQuotas: boolean,
): FieldError | null {
  if (isUserId(rep) && !hasValidChecksum(rep))
    return {
      index: null,
      field,
      problem: `${rep} is not a Salesforce Id: its last three characters do not fit the first 15`,
    };
  const user = findRep(rep, users);
  if (!user) return { index: null, field, problem: `${rep} is not a User in this Salesforce org` };
  if (settingQuotas && !user.IsActive)
    return { index: null, field, problem: `${rep} is inactive in Salesforce` };
  return null;
}

/**
 * The key a rep's quotas are stored under (the 18-character Id when named by Id, which sf_users
 * holds; else the Username as Salesforce spells it) and every other key that names the same User.
 */
export function quotaKeys(rep: string, user: RepUser): { owner: string; aliases: string[] } {
  const id18 = salesforceId18(user.Id.slice(0, 15));
  const owner = isUserId(rep) ? id18 : user.Username;
  const aliases = [id18, id18.slice(0, 15), user.Username, rep].filter((k) => k !== owner);
  return { owner, aliases: [...new Set(aliases)] };
}
