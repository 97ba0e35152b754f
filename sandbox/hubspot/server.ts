import { listen } from "../common/serve";
import { createHubSpotApp } from "./app";
import { seedDemoData } from "./seed";
import { createHubSpotState, type HubSpotState } from "./state";
import type { SubscriptionInput } from "./webhooks/subscription";

export { createHubSpotApp } from "./app";
export { createHubSpotState, type HubSpotState } from "./state";

export interface HubSpotSandboxOptions {
  port?: number;
  host?: string;
  token?: string;
  clientSecret?: string;
  /** The developer API key the webhooks API takes as `hapikey` (sandbox-developer-api-key). */
  developerApiKey?: string;
  portalId?: number;
  appId?: number;
  seed?: boolean;
  webhookUrl?: string;
  rateLimits?: boolean;
  leadbridgeProperties?: boolean;
  /** The first record id (1001 by default); see StateOptions. */
  firstRecordId?: number;
  /**
   * Delivery tuning for the subscription `webhookUrl` creates (batch delay, timeout, retry
   * backoff...).
   */
  webhook?: Partial<Omit<SubscriptionInput, "targetUrl">>;
}

export interface HubSpotSandbox {
  url: string;
  port: number;
  state: HubSpotState;
  /** Delivers pending webhook events now, retries included; resolves when none are in flight. */
  flushWebhooks(): Promise<void>;
  close(): Promise<void>;
}

export async function startHubSpotSandbox(
  opts: HubSpotSandboxOptions = {},
): Promise<HubSpotSandbox> {
  const state = createHubSpotState(opts);
  if (opts.seed) seedDemoData(state);
  const server = await listen(createHubSpotApp(state), opts.port ?? 0, opts.host);
  return {
    url: server.url,
    port: server.port,
    state,
    flushWebhooks: () => state.webhooks.flush(),
    close: async () => {
      state.webhooks.reset();
      await server.close();
    },
  };
}
