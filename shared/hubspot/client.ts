import type IConfiguration from "@hubspot/api-client/lib/src/configuration/IConfiguration";
import AssociationsV4Discovery from "@hubspot/api-client/lib/src/discovery/crm/associations/v4/AssociationsDiscovery";
import CompaniesDiscovery from "@hubspot/api-client/lib/src/discovery/crm/companies/CompaniesDiscovery";
import ContactsDiscovery from "@hubspot/api-client/lib/src/discovery/crm/contacts/ContactsDiscovery";
import NotesDiscovery from "@hubspot/api-client/lib/src/discovery/crm/objects/notes/NotesDiscovery";
import WebhooksDiscovery from "@hubspot/api-client/lib/src/discovery/webhooks/WebhooksDiscovery";
import { HttpClient } from "@hubspot/api-client/lib/src/services/http/HttpClient";
import { Request } from "@hubspot/api-client/lib/src/services/http/Request";
import type { Config } from "../env";
import type { HubSpot, HubSpotDeveloper } from "./apis";

/** The official client, pointed at the configured base URL (the sandbox locally). */
export function createHubSpotClient(
  config: Pick<Config, "HUBSPOT_ACCESS_TOKEN" | "HUBSPOT_BASE_URL">,
): HubSpot {
  // Retries are ours (rate-limit aware, see shared/hubspot/retry.ts), not the client's blind ones.
  const options: IConfiguration = {
    accessToken: config.HUBSPOT_ACCESS_TOKEN,
    basePath: config.HUBSPOT_BASE_URL.replace(/\/$/, ""),
    numberOfApiCallRetries: 0,
  };
  const contacts = once(() => new (defaultClass(ContactsDiscovery))(options));
  const companies = once(() => new (defaultClass(CompaniesDiscovery))(options));
  const notes = once(() => new (defaultClass(NotesDiscovery))(options));
  const associations = once(() => new (defaultClass(AssociationsV4Discovery))(options));
  return {
    crm: {
      get contacts() {
        return contacts();
      },
      get companies() {
        return companies();
      },
      objects: {
        get notes() {
          return notes();
        },
      },
      associations: {
        get v4() {
          return associations();
        },
      },
    },
    // Client.apiRequest with no retry or limiter decorators, which is what numberOfApiCallRetries 0 gives.
    apiRequest: (opts = {}) => HttpClient.send(new Request(options, opts)),
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
  const webhooks = once(() => new (defaultClass(WebhooksDiscovery))(options));
  return {
    get webhooks() {
      return webhooks();
    },
  };
}

/** Builds on first call, as Client builds each API on first use. */
function once<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}

/**
 * The class a discovery module exports as `exports.default`: wrangler's esbuild hands that over
 * as the default import, the tests' Vite pre-bundle the whole `exports` object.
 */
function defaultClass<T extends abstract new (...args: never[]) => unknown>(imported: T): T {
  return typeof imported === "function"
    ? imported
    : (imported as unknown as { default: T }).default;
}
