import { startStack } from "../../dev/stack";
import { retryWindowSeconds } from "../../shared/retryable";
import { Sandboxes } from "../harness/control";
import { createInbound, useRealisticLatency } from "../harness/inbound";
import { waitForLeads } from "../harness/progress";
import { type Accounting, accountFor } from "./account";
import { chaosPlan } from "./faults";

export interface ChaosOptions {
  leads: number;
  /** Faults on a fixed, bounded schedule, for runs of a few hundred leads (see chaosPlan). */
  small?: boolean;
  /**
   * Give up waiting when nothing settled for this long; by default a contact's whole retry window
   * and a minute.
   */
  stallMs?: number;
  log?: (line: string) => void;
  /** Where wrangler dev's own output goes (inherit to debug a run). */
  workerOutput?: "inherit" | "ignore";
}

export interface ChaosResult extends Accounting {
  seconds: number;
  /** False when the wait gave up before every lead settled. */
  settled: boolean;
  /** How often each injected fault fired, e.g. { "salesforce status 503": 4 }. */
  faultHits: Record<string, number>;
}

/**
 * The fault run on a stack of its own: realistic latency, real rate limits, the chaos plan's
 * faults, `leads` contacts from the realistic mix; then every lead is accounted for.
 */
export async function runChaos(opts: ChaosOptions): Promise<ChaosResult> {
  const log = opts.log ?? (() => {});
  log(`chaos: starting a stack for ${opts.leads} leads`);
  const stack = await startStack({
    isolatedState: true,
    snapshot: true,
    workerOutput: opts.workerOutput ?? "ignore",
  });
  log(`chaos: D1 state in ${stack.stateDir}`);
  try {
    const sandboxes = new Sandboxes(stack.hubspotUrl, stack.salesforceUrl, stack.webhookUrl);
    const stateDir = stack.stateDir!;
    const plan = chaosPlan({ small: opts.small });
    if (plan.expireEvery) await sandboxes.setSalesforceLimits({ expireEvery: plan.expireEvery });
    await useRealisticLatency(sandboxes, { hubspot: plan.hubspot, salesforce: plan.salesforce });

    const started = Date.now();
    const leads = await createInbound(sandboxes, opts.leads, `chaos${started.toString(36)}`);
    log(`chaos: ${leads.length} contacts created in HubSpot; waiting for the handoff under faults`);
    const ids = leads.map((l) => l.contactId);
    const { complete } = await waitForLeads(stack.hubspot, stateDir, ids, {
      stallMs: opts.stallMs ?? (retryWindowSeconds() + 60) * 1000,
      log,
    });
    const seconds = (Date.now() - started) / 1000;

    const faultHits = await sandboxes.faultHits();
    await sandboxes.clearFaults();
    const accounting = await accountFor(leads, sandboxes, stateDir);
    return { ...accounting, seconds, settled: complete, faultHits };
  } finally {
    await stack.stop();
  }
}
