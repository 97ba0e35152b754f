import { RequestCounter } from "../common/counts";
import { FaultBoard } from "../common/faults";
import { RateLimiter } from "./ratelimit";
import { type ChangeSource, CrmStore } from "./store";
import { WebhookDispatcher } from "./webhooks/delivery";
import { EventSubscriptions } from "./webhooks/event-subscriptions";
import { toWebhookEvents } from "./webhooks/events";
import { buildSubscription, SubscriptionInput } from "./webhooks/subscription";

export interface HubSpotConfig {
  token: string;
  clientSecret: string;
  portalId: number;
  appId: number;
  /** The app's developer API key (`hapikey`), for the webhooks API. */
  developerApiKey: string;
}

export interface HubSpotState {
  config: HubSpotConfig;
  store: CrmStore;
  faults: FaultBoard;
  counter: RequestCounter;
  limiter: RateLimiter;
  webhooks: WebhookDispatcher;
  /** The app's event subscriptions; deliveries follow the active ones. */
  subscriptions: EventSubscriptions;
  /** What API writes count as: the private app that owns the token. */
  apiSource: ChangeSource;
}

export interface StateOptions extends Partial<HubSpotConfig> {
  rateLimits?: boolean;
  /** False: a portal where `npm run setup:hubspot` has not created the leadbridge_* properties. */
  leadbridgeProperties?: boolean;
  /**
   * The first record id (1001 by default). `npm start` keeps the Worker's D1 across restarts while
   * the sandbox starts empty: ids from the clock keep a new contact from reusing an old one's id.
   */
  firstRecordId?: number;
  webhookUrl?: string;
  webhook?: Partial<Omit<SubscriptionInput, "targetUrl">>;
}

export function createHubSpotState(opts: StateOptions = {}): HubSpotState {
  const config: HubSpotConfig = {
    token: opts.token ?? "sandbox-hubspot-token",
    clientSecret: opts.clientSecret ?? "sandbox-client-secret",
    portalId: opts.portalId ?? 62515,
    appId: opts.appId ?? 54321,
    developerApiKey: opts.developerApiKey ?? "sandbox-developer-api-key",
  };
  const faults = new FaultBoard();
  const state: HubSpotState = {
    config,
    store: new CrmStore(opts.firstRecordId),
    faults,
    counter: new RequestCounter(),
    limiter: new RateLimiter(),
    webhooks: new WebhookDispatcher(faults),
    subscriptions: new EventSubscriptions(),
    apiSource: { changeSource: "INTEGRATION", sourceId: String(config.appId) },
  };
  if (opts.rateLimits === false) state.limiter.configure({ enabled: false });
  if (opts.leadbridgeProperties === false) state.store.reset({ leadbridgeProperties: false });
  if (opts.webhookUrl) subscribe(state, { ...opts.webhook, targetUrl: opts.webhookUrl });
  state.store.onEvent((event) => {
    const sub = state.webhooks.subscription;
    if (!sub) return;
    state.webhooks.enqueue(
      toWebhookEvents(event, sub, state.subscriptions, state.webhooks.nextEventId),
    );
  });
  return state;
}

/** The sandbox's one-call subscription: settings and the whole list of event subscriptions. */
export function subscribe(state: HubSpotState, input: SubscriptionInput) {
  const parsed = SubscriptionInput.parse(input);
  state.webhooks.subscription = buildSubscription(parsed, state.config);
  state.subscriptions.replace(parsed.eventTypes, parsed.propertyNames);
  return subscriptionView(state);
}

/** What `GET /__sandbox/webhooks/subscription` shows: settings, and the list in short and long. */
export function subscriptionView(state: HubSpotState) {
  const sub = state.webhooks.subscription;
  if (!sub) return null;
  return { ...sub, ...state.subscriptions.summary(), subscriptions: state.subscriptions.list() };
}
