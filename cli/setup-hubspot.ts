// `npm run setup:hubspot`: creates the leadbridge_* contact properties in a HubSpot portal.
import { parseArgs } from "node:util";
import { Client } from "@hubspot/api-client";
import type {
  PropertyCreate,
  PropertyUpdate,
} from "@hubspot/api-client/lib/codegen/crm/properties";
import {
  type HubSpotPropertyDefinition,
  LEADBRIDGE_GROUP,
  LEADBRIDGE_PROPERTIES,
  missingOptions,
} from "../shared/hubspot/properties";

export const HELP = `Leadbridge HubSpot setup

Usage: npm run setup:hubspot [-- --help]

Creates the "${LEADBRIDGE_GROUP.name}" contact property group and the contact properties Leadbridge
writes, through HubSpot's properties API:
${LEADBRIDGE_PROPERTIES.map((p) => `  ${p.name.padEnd(34)}${p.type}`).join("\n")}

Safe to run again: a property that exists is left alone, unless it is an enumeration missing
values Leadbridge writes; then those options are added.

Environment:
  HUBSPOT_ACCESS_TOKEN   the private app's access token (scopes crm.schemas.contacts.read/write)
  HUBSPOT_BASE_URL       default https://api.hubapi.com (the sandbox: http://127.0.0.1:4010)`;

const OBJECT_TYPE = "contacts";

export class SetupError extends Error {}

export interface SetupResult {
  groupCreated: boolean;
  created: string[];
  updated: { name: string; added: string[] }[];
  existing: string[];
  /** Existing properties whose type differs from Leadbridge's definition: left as they are. */
  differing: { name: string; type: string }[];
}

type Out = (line: string) => void;

/** Creates what is missing, idempotently; says what it did as it goes. */
export async function setupHubSpot(hubspot: Client, out: Out): Promise<SetupResult> {
  const result: SetupResult = {
    groupCreated: false,
    created: [],
    updated: [],
    existing: [],
    differing: [],
  };
  const groups = await call("list property groups", () =>
    hubspot.crm.properties.groupsApi.getAll(OBJECT_TYPE),
  );
  if (!groups.results.some((g) => g.name === LEADBRIDGE_GROUP.name)) {
    result.groupCreated = await createUnlessExists("create the property group", () =>
      hubspot.crm.properties.groupsApi.create(OBJECT_TYPE, { ...LEADBRIDGE_GROUP }),
    );
  }
  out(`group ${LEADBRIDGE_GROUP.name}: ${result.groupCreated ? "created" : "already there"}`);

  const current = await call("list contact properties", () =>
    hubspot.crm.properties.coreApi.getAll(OBJECT_TYPE),
  );
  const byName = new Map(current.results.map((p) => [p.name, p]));
  for (const wanted of LEADBRIDGE_PROPERTIES) {
    const found = byName.get(wanted.name);
    if (!found) {
      const made = await createUnlessExists(`create ${wanted.name}`, () =>
        hubspot.crm.properties.coreApi.create(OBJECT_TYPE, wanted as PropertyCreate),
      );
      if (made) {
        result.created.push(wanted.name);
        out(`created ${wanted.name} (${describe(wanted)})`);
      } else {
        result.existing.push(wanted.name);
        out(`already there: ${wanted.name}`);
      }
      continue;
    }
    if (found.type !== wanted.type) {
      result.differing.push({ name: wanted.name, type: found.type });
      out(
        `left alone: ${wanted.name} is of type ${found.type} in HubSpot, Leadbridge defines it as ${wanted.type}`,
      );
      continue;
    }
    const added = missingOptions(wanted, found);
    if (added.length === 0) {
      result.existing.push(wanted.name);
      out(`already there: ${wanted.name}`);
      continue;
    }
    // HubSpot replaces the option list with the one sent: keep what the portal has, add ours.
    const addedOptions = (wanted.options ?? []).filter((o) => added.includes(o.value));
    const options = [
      ...(found.options ?? []),
      ...addedOptions.map((o, i) => ({ ...o, displayOrder: (found.options?.length ?? 0) + i })),
    ];
    await call(`update ${wanted.name}`, () =>
      hubspot.crm.properties.coreApi.update(OBJECT_TYPE, wanted.name, {
        options,
      } as PropertyUpdate),
    );
    result.updated.push({ name: wanted.name, added });
    out(`updated ${wanted.name}: added options ${added.join(", ")}`);
  }
  out(summary(result));
  return result;
}

function describe(def: HubSpotPropertyDefinition): string {
  return def.options ? `${def.type}: ${def.options.map((o) => o.value).join(", ")}` : def.type;
}

function summary(r: SetupResult): string {
  if (r.created.length === 0 && r.updated.length === 0 && !r.groupCreated)
    return `Nothing to do: all ${r.existing.length + r.differing.length} properties were already there.`;
  return `Done: ${r.created.length} created, ${r.updated.length} updated, ${r.existing.length} already there.`;
}

interface ApiError {
  code?: number;
  body?: unknown;
}

/** True when created, false when HubSpot says it exists already (409: another run got there). */
async function createUnlessExists(what: string, create: () => Promise<unknown>): Promise<boolean> {
  try {
    await create();
    return true;
  } catch (e) {
    if ((e as ApiError).code === 409) return false;
    throw toSetupError(what, e);
  }
}

async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw toSetupError(what, e);
  }
}

function toSetupError(what: string, e: unknown): SetupError {
  const { code, body } = e as ApiError;
  if (code === 401)
    return new SetupError(
      "HubSpot refused the access token (401). Set HUBSPOT_ACCESS_TOKEN to the private app's token.",
    );
  if (code === 403)
    return new SetupError(
      `HubSpot refused to ${what} (403): the token lacks the scopes crm.schemas.contacts.read and crm.schemas.contacts.write.`,
    );
  if (typeof code === "number")
    return new SetupError(`HubSpot answered ${code} to ${what}: ${messageOf(body)}`);
  return new SetupError(`could not ${what}: ${(e as Error).message}`);
}

function messageOf(body: unknown): string {
  try {
    const parsed = typeof body === "string" ? JSON.parse(body) : body;
    return String((parsed as { message?: string }).message ?? JSON.stringify(parsed));
  } catch {
    return String(body);
  }
}

export async function main(argv: string[], env: NodeJS.ProcessEnv, out: Out): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    out(HELP);
    return 0;
  }
  const accessToken = env.HUBSPOT_ACCESS_TOKEN;
  if (!accessToken) throw new SetupError("set HUBSPOT_ACCESS_TOKEN to the private app's token");
  const basePath = env.HUBSPOT_BASE_URL || "https://api.hubapi.com";
  out(`HubSpot at ${basePath}`);
  // The client retries 429s and 5xx on its own.
  const hubspot = new Client({ accessToken, basePath, numberOfApiCallRetries: 3 });
  await setupHubSpot(hubspot, out);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2), process.env, (line) => console.log(line))
    .then((code) => process.exit(code))
    .catch((err: unknown) => {
      console.error(
        err instanceof SetupError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
          ? `error: ${(err as Error).message}`
          : err,
      );
      process.exit(1);
    });
}
