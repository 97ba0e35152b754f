import { Client } from "@hubspot/api-client";
import type { Config } from "../env";

/** The official HubSpot client, pointed at the configured base URL (the sandbox locally). */
export function createHubSpotClient(
  config: Pick<Config, "HUBSPOT_ACCESS_TOKEN" | "HUBSPOT_BASE_URL">,
): Client {
  // Retries are ours (rate-limit aware, see shared/hubspot/retry.ts), not the client's blind ones.
  return new Client({
    accessToken: config.HUBSPOT_ACCESS_TOKEN,
    basePath: config.HUBSPOT_BASE_URL.replace(/\/$/, ""),
    numberOfApiCallRetries: 0,
  });
}

/**
 * The official client with the app's developer API key (`hapikey`), for HubSpot's webhooks API;
 * undefined when HUBSPOT_DEVELOPER_API_KEY is not set.
 */
export function createHubSpotDeveloperClient(
  config: Pick<Config, "HUBSPOT_DEVELOPER_API_KEY" | "HUBSPOT_BASE_URL">,
): Client | undefined {
  if (!config.HUBSPOT_DEVELOPER_API_KEY) return undefined;
  return new Client({
    developerApiKey: config.HUBSPOT_DEVELOPER_API_KEY,
    basePath: config.HUBSPOT_BASE_URL.replace(/\/$/, ""),
    numberOfApiCallRetries: 0,
  });
}
