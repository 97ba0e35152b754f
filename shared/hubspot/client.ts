import type IConfiguration from "@hubspot/api-client/lib/src/configuration/IConfiguration";
import type { Config } from "../env";
import type { HubSpot, HubSpotDeveloper } from "./apis";

// The package's modules are loaded on an API's first call, not when the Worker starts: evaluating
// them is a large share of its startup CPU (bench/README.md, Startup), and a webhook or a health
// check never calls HubSpot.

/** The official client's APIs, pointed at the configured base URL (the sandbox locally). */
export function createHubSpotClient(
  config: Pick<Config, "HUBSPOT_ACCESS_TOKEN" | "HUBSPOT_BASE_URL">,
): HubSpot {
  // Retries are ours (rate-limit aware, see shared/hubspot/retry.ts), not the client's blind ones.
  const options: IConfiguration = {
    accessToken: config.HUBSPOT_ACCESS_TOKEN,
    basePath: config.HUBSPOT_BASE_URL.replace(/\/$/, ""),
    numberOfApiCallRetries: 0,
  };
  // Each API's module is named in its own import() so that esbuild bundles it.
  const contacts = batchApiOf(
    () => import("@hubspot/api-client/lib/src/discovery/crm/contacts/ContactsDiscovery"),
    options,
  );
  const companies = batchApiOf(
    () => import("@hubspot/api-client/lib/src/discovery/crm/companies/CompaniesDiscovery"),
    options,
  );
  const notes = batchApiOf(
    () => import("@hubspot/api-client/lib/src/discovery/crm/objects/notes/NotesDiscovery"),
    options,
  );
  const associations = batchApiOf(
    () => import("@hubspot/api-client/lib/src/discovery/crm/associations/v4/AssociationsDiscovery"),
    options,
  );
  return {
    crm: {
      contacts: { batchApi: onFirstCall(contacts, ["read", "update"]) },
      companies: { batchApi: onFirstCall(companies, ["read"]) },
      objects: { notes: { batchApi: onFirstCall(notes, ["read", "create"]) } },
      associations: { v4: { batchApi: onFirstCall(associations, ["getPage"]) } },
    },
    // Client.apiRequest with no retry or limiter decorators, which is what numberOfApiCallRetries 0 gives.
    apiRequest: async (opts = {}) => {
      const [{ HttpClient }, { Request }] = await Promise.all([
        import("@hubspot/api-client/lib/src/services/http/HttpClient"),
        import("@hubspot/api-client/lib/src/services/http/Request"),
      ]);
      return HttpClient.send(new Request(options, opts));
    },
  };
}

/**
 * The webhooks API with the app's developer API key (`hapikey`); undefined when
 * HUBSPOT_DEVELOPER_API_KEY is not set.
 */
export function createHubSpotDeveloperClient(
  config: Pick<Config, "HUBSPOT_DEVELOPER_API_KEY" | "HUBSPOT_BASE_URL">,
): HubSpotDeveloper | undefined {
  if (!config.HUBSPOT_DEVELOPER_API_KEY) return undefined;
  const options: IConfiguration = {
    developerApiKey: config.HUBSPOT_DEVELOPER_API_KEY,
    basePath: config.HUBSPOT_BASE_URL.replace(/\/$/, ""),
    numberOfApiCallRetries: 0,
  };
  const subscriptions = once(async () => {
    const api = await import("@hubspot/api-client/lib/src/discovery/webhooks/WebhooksDiscovery");
    return new (defaultClass(api.default))(options).subscriptionsApi;
  });
  return {
    webhooks: { subscriptionsApi: onFirstCall(subscriptions, ["getAll", "create", "update"]) },
  };
}

/** An API class's `batchApi`, its module loaded and the class built on the first call. */
function batchApiOf<B>(
  load: () => Promise<{ default: new (config: IConfiguration) => { batchApi: B } }>,
  options: IConfiguration,
): () => Promise<B> {
  return once(async () => new (defaultClass((await load()).default))(options).batchApi);
}

/** The named methods of the API `load` builds; the first call loads it. */
function onFirstCall<A, K extends keyof A>(load: () => Promise<A>, names: K[]): Pick<A, K> {
  return Object.fromEntries(
    names.map((name) => [
      name,
      async (...args: unknown[]) => {
        const api = await load();
        return (api[name] as (...a: unknown[]) => unknown).apply(api, args);
      },
    ]),
  ) as Pick<A, K>;
}

/** Runs `build` once, on the first call. */
function once<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}

/**
 * The class a module exports as `exports.default`: wrangler's esbuild and the tests' Vite
 * pre-bundle hand CommonJS over differently (the class, or the whole `exports` object).
 */
function defaultClass<T extends abstract new (...args: never[]) => unknown>(imported: T): T {
  return typeof imported === "function"
    ? imported
    : (imported as unknown as { default: T }).default;
}
