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
