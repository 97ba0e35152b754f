import { type Routing, RoutingSchema } from "../contracts/routing";
import { type Version, versionTable } from "./versions";

// Routing versions (docs/routing.md). Unlike the rules and the mapping nothing is seeded: until an
// admin saves a routing, new Leads follow SALESFORCE_LEAD_ASSIGNMENT as they always did.

export type RoutingVersion = Version<"routing", Routing>;

const versions = versionTable("routings", "routing", RoutingSchema);

/** The routing in force (the highest version), or null while none was saved. */
export const latestRouting = versions.latest;

/** The routing in force at `at` (ms): the highest version saved before it, or null. */
export const routingInForceAt = versions.inForceAt;

export const routingVersion = versions.version;
export const listRoutings = versions.list;

/** Stores a new version; the caller validated `routing`. Concurrent writers cannot share a number. */
export const saveRouting = versions.save;
