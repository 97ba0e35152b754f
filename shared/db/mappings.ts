import { DEFAULT_MAPPING, type Mapping, MappingSchema } from "../contracts/mapping";
import { type Version, versionTable } from "./versions";

export type MappingVersion = Version<"mapping", Mapping>;

const versions = versionTable("mappings", "mapping", MappingSchema);

/** The mapping in force: the highest version, seeding DEFAULT_MAPPING as version 1 on first use. */
export async function currentMapping(db: D1Database): Promise<MappingVersion> {
  const found = await latestMapping(db);
  if (found) return found;
  await versions.seed(db, DEFAULT_MAPPING);
  return currentMapping(db);
}

/** The highest version stored, without seeding the defaults (a read that writes nothing). */
export const latestMapping = versions.latest;
export const mappingVersion = versions.version;
export const listMappings = versions.list;

/** Stores a new version; the caller validated `mapping`. Concurrent writers cannot share a number. */
export async function saveMapping(
  db: D1Database,
  mapping: Mapping,
  createdBy: string,
  note?: string,
): Promise<MappingVersion> {
  await currentMapping(db); // the defaults stay version 1
  return versions.save(db, mapping, createdBy, note);
}
