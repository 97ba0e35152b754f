// The outage run: leads keep arriving while HubSpot, then Salesforce, then D1 stay down, and
// every lead must still end handed off or refused with feedback, exactly once.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { type Stack, startStack } from "../../dev/stack";
import { type FaultRule, Sandboxes, sleep } from "../harness/control";
import { createInboundFor, type InboundLead, useRealisticLatency } from "../harness/inbound";
import { companies, leadMix } from "../harness/lead-mix";
import { waitForLeads } from "../harness/progress";
import { type Accounting, accountFor } from "./account";

export interface OutageOptions {
  leads: number;
  /**
   * How long HubSpot, and then Salesforce, stay down. The HubSpot phase is longer by what the
   * stack's start left of `startAllowanceMs`, or shorter by what it took beyond it.
   */
  phaseMs: number;
  /** How long every D1 call of the Worker fails, right after the Salesforce phase. */
  d1Ms: number;
  /** Waves of new contacts in each phase: one at its start, the rest spread over it. Default 3. */
  wavesPerPhase?: number;
  /**
   * The D1 outage is a window fixed when wrangler dev starts (its `--var`): it opens this long
   * after wrangler dev is started, plus both phases; the HubSpot phase starts when the Worker is
   * up and the run seeded. Default 60 s.
   */
  startAllowanceMs?: number;
  /**
   * Give up waiting when nothing settled for this long. Default: the longest pause Leadbridge
   * waits between tries (15 minutes) and a minute.
   */
  stallMs?: number;
  log?: (line: string) => void;
  /** Where wrangler dev's own output goes (inherit to debug a run). */
  workerOutput?: "inherit" | "ignore";
}

export type OutageDependency = "hubspot" | "salesforce" | "d1";

export interface OutagePhase {
  dependency: OutageDependency;
  seconds: number;
  /** Contacts created in HubSpot during the phase. */
  leads: number;
  /** How often each injected fault fired in the phase, e.g. { "salesforce status 503": 40 }. */
  faultHits: Record<string, number>;
}

export interface OutageResult extends Accounting {
  /** From the run's start (stack up) to the last lead settled or the wait giving up. */
  seconds: number;
  /** False when the wait gave up before every lead settled. */
  settled: boolean;
  /** From the end of the last phase (D1 back) to the last lead settled. */
  settledSeconds: number;
  phases: OutagePhase[];
}

/** Every path of HubSpot's CRM API but the batch create our own waves of new contacts use. */
const HUBSPOT_API = String.raw`/^\/crm\/(?!v3\/objects\/contacts\/batch\/create)/`;

/** HubSpot: every other call 503, the rest 429 (each with Retry-After). */
export const HUBSPOT_OUTAGE: FaultRule[] = [
  { kind: "status", status: 503, path: HUBSPOT_API, rate: 0.5 },
  { kind: "rate_limit", path: HUBSPOT_API },
];
/**
 * Salesforce: half the calls 503 (the token endpoint included), and every API call finds its
 * session expired, so a fresh token is invalid again on its first use.
 */
export const SALESFORCE_OUTAGE: FaultRule[] = [
  { kind: "status", status: 503, path: "/services/", rate: 0.5 },
  { kind: "expire_session", path: "/services/data/" },
];

/** What the Worker's injected D1 failure says (shared/db/faulty.ts), counted in wrangler's log. */
const D1_FAULT_MARK = "injected by LEADBRIDGE_TEST_D1_FAULTS";

/**
 * The outage run on a stack of its own: realistic latency; HubSpot down for `phaseMs` (503s and
 * 429s on every call the Worker makes), then Salesforce (503s and sessions that stay invalid) for
 * `phaseMs`, then D1 for `d1Ms`, while waves of contacts from the realistic mix arrive in every
 * phase; then every lead is waited for and accounted for.
 */
export async function runOutage(opts: OutageOptions): Promise<OutageResult> {
  const log = opts.log ?? (() => {});
  const wavesPerPhase = opts.wavesPerPhase ?? 3;
  const allowance = opts.startAllowanceMs ?? 60_000;
  log(`outage: starting a stack for ${opts.leads} leads`);
  let starting = 0;
  let d1From = 0;
  let d1Until = 0;
  const stack = await startStack({
    isolatedState: true,
    snapshot: true,
    workerOutput: opts.workerOutput ?? "ignore",
    vars: () => {
      starting = Date.now();
      d1From = starting + allowance + 2 * opts.phaseMs;
      d1Until = d1From + opts.d1Ms;
      return { LEADBRIDGE_TEST_D1_FAULTS: `between:${d1From}:${d1Until}` };
    },
  });
  try {
    log(`outage: D1 will be down from ${new Date(d1From).toISOString()} for ${opts.d1Ms / 1000}s`);
    const sandboxes = new Sandboxes(stack.hubspotUrl, stack.salesforceUrl, stack.webhookUrl);
    const stateDir = stack.stateDir!;
    await useRealisticLatency(sandboxes);
    const tag = `outage${Date.now().toString(36)}`;
    const companyIds = await sandboxes.createCompanies(companies(Math.min(50, opts.leads), tag));
    const specs = leadMix(opts.leads, tag, companyIds.length);

    const started = Date.now();
    const hubspotUntil = d1From - opts.phaseMs;
    if (hubspotUntil - started < opts.phaseMs / 2)
      throw new Error(
        `the stack took ${Math.round((started - starting) / 1000)}s to start, leaving the HubSpot phase under half its length: raise startAllowanceMs (${allowance / 1000}s)`,
      );
    const windows: [OutageDependency, number, number][] = [
      ["hubspot", started, hubspotUntil],
      ["salesforce", hubspotUntil, d1From],
      ["d1", d1From, d1Until],
    ];
    const perWave = splitEvenly(specs.length, windows.length * wavesPerPhase);
    const leads: InboundLead[] = [];
    const phases: OutagePhase[] = [];
    let wave = 0;
    for (const [dependency, from, until] of windows) {
      await sleepUntil(from);
      await setPhaseFaults(sandboxes, dependency);
      log(`outage: ${dependency} down for ${Math.round((until - from) / 1000)}s`);
      const before = leads.length;
      for (let i = 0; i < wavesPerPhase; i++) {
        await sleepUntil(from + ((until - from) * i) / wavesPerPhase);
        const batch = specs.slice(perWave[wave]!, perWave[wave + 1]!);
        wave += 1;
        leads.push(...(await createInboundFor(sandboxes, batch, companyIds)));
      }
      await sleepUntil(until);
      const faultHits =
        dependency === "d1" ? { "d1 unavailable": d1Failures(stack) } : await phaseHits(sandboxes);
      phases.push({
        dependency,
        seconds: (until - from) / 1000,
        leads: leads.length - before,
        faultHits,
      });
      log(
        `outage: ${dependency} back; ${leads.length} contacts so far; ${JSON.stringify(faultHits)}`,
      );
    }
    await useRealisticLatency(sandboxes);

    const wait = await waitForLeads(
      stack.hubspot,
      stateDir,
      leads.map((l) => l.contactId),
      { stallMs: opts.stallMs ?? (15 * 60 + 60) * 1000, log },
    );
    const accounting = await accountFor(leads, sandboxes, stateDir);
    // Counted again now that the log has caught up: only an injected failure carries the mark.
    phases[2]!.faultHits["d1 unavailable"] = d1Failures(stack);
    return {
      ...accounting,
      seconds: (wait.settledAt - started) / 1000,
      settled: wait.complete,
      settledSeconds: Math.max(0, (wait.settledAt - d1Until) / 1000),
      phases,
    };
  } finally {
    await stack.stop();
  }
}

/** Each phase's faults on a clean board, realistic latency kept (hit counts start from zero). */
async function setPhaseFaults(sandboxes: Sandboxes, down: OutageDependency): Promise<void> {
  await useRealisticLatency(sandboxes, {
    hubspot: down === "hubspot" ? HUBSPOT_OUTAGE : [],
    salesforce: down === "salesforce" ? SALESFORCE_OUTAGE : [],
  });
}

/**
 * The sandboxes' fault hits. HubSpot's board evaluates every rule on a call, so its rate_limit
 * rule also counts the calls the 503 rule answered: those are taken off to give the 429s.
 */
async function phaseHits(sandboxes: Sandboxes): Promise<Record<string, number>> {
  const hits = await sandboxes.faultHits();
  const served503 = hits["hubspot status 503"];
  if (served503 !== undefined && hits["hubspot rate_limit"] !== undefined)
    hits["hubspot rate_limit"] -= served503;
  return hits;
}

/** Worker log lines that carry the injected D1 failure (wrangler keeps them in the state folder). */
function d1Failures(stack: Stack): number {
  const dir = path.join(stack.stateDir!, "wrangler-logs");
  let count = 0;
  for (const file of readdirSync(dir))
    for (const line of readFileSync(path.join(dir, file), "utf8").split("\n"))
      if (line.includes(D1_FAULT_MARK)) count += 1;
  return count;
}

/** Start offsets of `parts` nearly equal slices of `total`, and `total` at the end. */
function splitEvenly(total: number, parts: number): number[] {
  return Array.from({ length: parts + 1 }, (_, i) => Math.round((total * i) / parts));
}

async function sleepUntil(at: number): Promise<void> {
  const ms = at - Date.now();
  if (ms > 0) await sleep(ms);
}

export function outageLine(r: OutageResult): string {
  const phases = r.phases
    .map((p) => `${p.dependency} ${Math.round(p.seconds)}s/${p.leads} leads`)
    .join(", ");
  return (
    `outage: leads=${r.leads} handedOff=${r.handedOff} refused=${r.refused} deadLettered=${r.deadLettered} ` +
    `lost=${r.lost} duplicates=${r.duplicates} missingFeedback=${r.missingFeedback} unexpected=${r.unexpected} ` +
    `settledSeconds=${Math.round(r.settledSeconds)} (${phases})`
  );
}
