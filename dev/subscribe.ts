import { readFileSync } from "node:fs";
import path from "node:path";
import { Client } from "@hubspot/api-client";
import type { SubscriptionCreateRequestEventTypeEnum } from "@hubspot/api-client/lib/codegen/webhooks";
import type { HubSpotSandbox } from "../sandbox/hubspot/server";
import { DEFAULT_RULES } from "../shared/contracts/rules";
import type { NeededSubscription, SubscriptionsReport } from "../shared/contracts/subscriptions";
import { neededSubscriptions } from "../workers/handoff/subscriptions";

/**
 * Subscribes the sandbox HubSpot's app to exactly what the Worker's rules in force need, through
 * HubSpot's webhooks API v3 as an admin would: the target URL in the settings, then the needed
 * list from GET /admin/subscriptions (the default rules' when the Worker cannot say), every other
 * subscription removed.
 */
export async function subscribeSandbox(
  hubspot: HubSpotSandbox,
  workerUrl: string,
  webhookUrl: string,
  log: (line: string) => void,
): Promise<NeededSubscription[]> {
  const { appId, developerApiKey } = hubspot.state.config;
  const developer = new Client({
    developerApiKey,
    basePath: hubspot.url,
    numberOfApiCallRetries: 0,
  });
  await developer.webhooks.settingsApi.configure(appId, {
    targetUrl: webhookUrl,
    throttling: { maxConcurrentRequests: 10 },
  });
  const needed = await neededByWorker(workerUrl, log);
  const key = (s: NeededSubscription) => `${s.eventType}:${s.propertyName ?? ""}`;
  const wanted = new Set(needed.map(key));
  const { results } = await developer.webhooks.subscriptionsApi.getAll(appId);
  for (const sub of results) {
    if (!wanted.has(key({ eventType: sub.eventType, propertyName: sub.propertyName })))
      await developer.webhooks.subscriptionsApi.archive(Number(sub.id), appId);
  }
  const have = new Map(results.map((s) => [key(s), s]));
  for (const want of needed) {
    const existing = have.get(key(want));
    if (existing?.active) continue;
    if (existing)
      await developer.webhooks.subscriptionsApi.update(Number(existing.id), appId, {
        active: true,
      });
    else
      await developer.webhooks.subscriptionsApi.create(appId, {
        eventType: want.eventType as SubscriptionCreateRequestEventTypeEnum,
        ...(want.propertyName ? { propertyName: want.propertyName } : {}),
        active: true,
      });
  }
  return needed;
}

async function neededByWorker(
  workerUrl: string,
  log: (line: string) => void,
): Promise<NeededSubscription[]> {
  let why: string;
  try {
    const res = await fetch(`${workerUrl}/admin/subscriptions`, {
      headers: { authorization: `Bearer ${adminToken()}` },
    });
    if (res.ok) return ((await res.json()) as SubscriptionsReport).needed;
    why = `${res.status} ${(await res.text()).slice(0, 200)}`;
  } catch (err) {
    why = String(err);
  }
  log(`GET /admin/subscriptions failed (${why}): subscribing for the default rules`);
  return neededSubscriptions(DEFAULT_RULES);
}

/** The Worker's admin token as .dev.vars sets it locally. */
function adminToken(): string {
  try {
    const text = readFileSync(path.join(process.cwd(), ".dev.vars"), "utf8");
    const line = /^\s*ADMIN_TOKEN\s*=\s*(.*)$/m.exec(text)?.[1]?.trim();
    if (line) return line.replace(/^"(.*)"$/, "$1");
  } catch {
    // No .dev.vars: the stack creates one from the example, which holds the sandbox token.
  }
  return "sandbox-admin-token";
}
