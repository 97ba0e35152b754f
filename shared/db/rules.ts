import { DEFAULT_RULES, type Rules, RulesSchema } from "../contracts/rules";
import { type Version, versionTable } from "./versions";

export type RulesVersion = Version<"rules", Rules>;

const versions = versionTable("rules", "rules", RulesSchema);

/** The rules in force: the highest version, seeding the defaults as version 1 on first use. */
export async function currentRules(db: D1Database): Promise<RulesVersion> {
  const found = await latestRules(db);
  if (found) return found;
  await versions.seed(db, DEFAULT_RULES);
  return currentRules(db);
}

/** The highest version stored, without seeding the defaults (a read that writes nothing). */
export const latestRules = versions.latest;
export const rulesVersion = versions.version;
export const listRules = versions.list;

/** Stores a new version; the caller validated `rules`. Concurrent writers cannot share a number. */
export async function saveRules(
  db: D1Database,
  rules: Rules,
  createdBy: string,
  note?: string,
): Promise<RulesVersion> {
  await currentRules(db); // the defaults stay version 1
  return versions.save(db, rules, createdBy, note);
}
