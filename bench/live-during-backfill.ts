import { pathToFileURL } from "node:url";
import { startStack } from "../dev/stack";
import type { Job } from "../shared/contracts/admin";
import { Sandboxes } from "../test/harness/control";
import { createInbound, useRealisticLatency } from "../test/harness/inbound";
import { waitForLeads } from "../test/harness/progress";
import { adminApi } from "../test/node/admin-stack";
import { sleepUntilQuiet, speedToLead } from "./handoff-burst";
import { sizesFromArgs } from "./sizes";

/** What latest.json keeps: live speed-to-lead while a backfill of `backfillContacts` runs. */
export interface LiveDuringBackfillFigures {
  p95SpeedToLeadMs: number;
  backfillContacts: number;
}

export interface LiveDuringBackfillDetail extends LiveDuringBackfillFigures {
  burst: number;
  p50SpeedToLeadMs: number;
  /** The same burst on the same stack just before, with no backfill: the same-run baseline. */
  alone: { p50SpeedToLeadMs: number; p95SpeedToLeadMs: number };
  handedOff: number;
  settled: boolean;
  /** The backfill job's progress when the burst was over: it was still running throughout. */
  backfillAtBurstEnd: Job["progress"] & { state: Job["state"] };
  burstSeconds: number;
}

/**
 * The burst starts once the backfill has put this many contacts on its lane (a quarter of a small
 * backfill), so both run at once.
 */
const LANE_BUSY_CONTACTS = 5_000;

/**
 * Its own stack (realistic latency, HubSpot's rate limit on): a burst of `burst` new leads by
 * webhook alone (the baseline), then `backfillContacts` contacts created with webhooks paused, a
 * backfill of them started through the admin API, and once its lane is busy the same burst again. Live speed-to-lead is read from D1 as in the burst
 * step; the backfill is cancelled afterwards (the figure is about the live lane, not its end).
 */
export async function measureLiveDuringBackfill(
  sizes: { backfillContacts: number; burst: number },
  log: (line: string) => void,
): Promise<LiveDuringBackfillDetail> {
  const stack = await startStack({ isolatedState: true, snapshot: true });
  const sandboxes = new Sandboxes(stack.hubspotUrl, stack.salesforceUrl, stack.webhookUrl);
  const api = adminApi(stack.workerUrl);
  try {
    await useRealisticLatency(sandboxes);
    await sandboxes.setHubSpotLimits({ enabled: true });
    const tag = `lb${Date.now().toString(36)}`;
    const burst = async (name: string) => {
      const leads = await createInbound(sandboxes, sizes.burst, `${tag}-${name}`);
      const ids = leads.map((l) => l.contactId);
      const { complete } = await waitForLeads(stack.hubspot, stack.stateDir!, ids, {
        stallMs: 120_000,
        log,
      });
      return { ids, complete };
    };
    log(`  live burst of ${sizes.burst}, no backfill`);
    const alone = await speedToLead(stack, (await burst("alone")).ids);
    await sleepUntilQuiet(sandboxes, 2000);
    await sandboxes.setHubSpotLimits({ enabled: false });
    // The contacts to backfill were there before Leadbridge: no webhooks for them, and our own
    // setup calls are not held to the Worker's rate limit.
    await sandboxes.subscribe({ active: false });
    const since = new Date().toISOString();
    const seeded = Date.now();
    await createInbound(sandboxes, sizes.backfillContacts, `${tag}-bf`);
    log(
      `  ${sizes.backfillContacts} contacts to backfill created in ${((Date.now() - seeded) / 1000).toFixed(1)}s`,
    );
    await new Promise((r) => setTimeout(r, 1000));
    const until = new Date().toISOString();
    await sandboxes.subscribe({ active: true });
    await sandboxes.setHubSpotLimits({ enabled: true });

    const job = await api.call<Job>("POST", "/admin/backfill", { since, until });
    const busy = Math.min(LANE_BUSY_CONTACTS, Math.ceil(sizes.backfillContacts / 4));
    for (;;) {
      const now = await api.call<Job>("GET", `/admin/jobs/${job.id}`);
      if (now.progress.enqueued >= busy || now.state !== "running") break;
      await new Promise((r) => setTimeout(r, 250));
    }
    log(`  backfill ${job.id} has ${busy}+ contacts on its lane: live burst of ${sizes.burst}`);

    const started = Date.now();
    const { ids, complete } = await burst("live");
    const burstSeconds = (Date.now() - started) / 1000;
    const during = await api.call<Job>("GET", `/admin/jobs/${job.id}`);
    if (during.state === "running") await api.call("POST", `/admin/jobs/${job.id}/cancel`);
    const speed = await speedToLead(stack, ids);
    return {
      p95SpeedToLeadMs: speed.p95SpeedToLeadMs,
      backfillContacts: sizes.backfillContacts,
      burst: sizes.burst,
      p50SpeedToLeadMs: speed.p50SpeedToLeadMs,
      alone: { p50SpeedToLeadMs: alone.p50SpeedToLeadMs, p95SpeedToLeadMs: alone.p95SpeedToLeadMs },
      handedOff: speed.handedOff,
      settled: complete,
      backfillAtBurstEnd: { ...during.progress, state: during.state },
      burstSeconds,
    };
  } finally {
    await stack.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const sizes = sizesFromArgs();
  const measured = await measureLiveDuringBackfill(
    { backfillContacts: sizes.backfillContacts, burst: sizes.liveBurst },
    (line) => console.error(line),
  );
  console.log(JSON.stringify(measured, null, 2));
}
