import type { Connection } from "jsforce";
import type { Config } from "./env";
import type { HubSpot, HubSpotDeveloper } from "./hubspot/apis";
import { createHubSpotClient, createHubSpotDeveloperClient } from "./hubspot/client";
import { connectSalesforce } from "./salesforce/client";

export interface Clients {
  hubspot: HubSpot;
  /** HubSpot with the app's developer key (webhooks API); absent without the secret. */
  hubspotDeveloper?: HubSpotDeveloper;
  /** Connects on first use: a batch with nothing to push never authorizes. */
  salesforce(): Promise<Connection>;
}

/** The one place HubSpot and Salesforce access is built from the environment. */
export function createClients(config: Config, env: Pick<Env, "KV">): Clients {
  let salesforce: Promise<Connection> | undefined;
  return {
    hubspot: createHubSpotClient(config),
    hubspotDeveloper: createHubSpotDeveloperClient(config),
    salesforce: () => (salesforce ??= connectSalesforce(config, env.KV)),
  };
}
