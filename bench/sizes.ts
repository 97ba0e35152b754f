import { parseArgs } from "node:util";

export interface BenchSizes {
  ackBatches: number;
  bursts: [small: number, large: number];
  /** Runs of each burst size; the run with the median p95 speed-to-lead is the figure. */
  burstRepeats: [small: number, large: number];
  naiveLeads: number;
  chaosLeads: number;
  /** The outage run (test/chaos/outage.ts); null with --skip-outage. */
  outage: OutageSizes | null;
  telemetry: TelemetrySizes;
  /** Handed-off Leads sales changes in the outcome-sync step's day. */
  outcomeChanges: number;
  /** The backfill running while `liveBurst` new leads arrive by webhook (liveDuringBackfill). */
  backfillContacts: number;
  liveBurst: number;
}

/** HubSpot, then Salesforce, down for `phaseMs` each, then D1 for `d1Ms`, `leads` arriving. */
export interface OutageSizes {
  leads: number;
  phaseMs: number;
  d1Ms: number;
}

/**
 * The telemetry growth step: base history of `days` days at `contactsPerDay` and the report
 * day's changes on top of it. 10× history is ten times the contacts a day over the same days
 * (`denser`, the default) or the same contacts a day over ten times the days (`longer`).
 */
export interface TelemetrySizes {
  tenfold: "denser" | "longer";
  days: number;
  contactsPerDay: number;
  deltaContacts: number;
  deltaConversions: number;
  deltaStageMoves: number;
  repeats: number;
}

/**
 * The sizes, but the fault run at 2,000 leads so the rest of the bench stays near 15 minutes
 * on two cores besides the outage run's ~25 (its phases are wall time); `--chaos-leads 10000` (or
 * `npm run chaos`) runs the 10,000. `--quick` is a few minutes.
 */
// Each delivery is one queue message, far under the 10,000 pending messages miniflare's local
// queue holds; 300 give the one-at-a-time latency a p99 that is not just the slowest answer.
export const FULL: BenchSizes = {
  ackBatches: 300,
  bursts: [1_000, 10_000],
  burstRepeats: [3, 1],
  naiveLeads: 100,
  chaosLeads: 2_000,
  // The outage: 10 minutes each, D1 for a minute (with the settling, ~25 minutes).
  outage: { leads: 1_000, phaseMs: 10 * 60_000, d1Ms: 60_000 },
  outcomeChanges: 1_000,
  backfillContacts: 100_000,
  liveBurst: 1_000,
  telemetry: {
    tenfold: "denser",
    days: 60,
    contactsPerDay: 50,
    deltaContacts: 300,
    deltaConversions: 15,
    deltaStageMoves: 20,
    repeats: 7,
  },
};
// The ack step is cheap, so the quick run times as many deliveries: a p99 of 100 is the second
// slowest answer, too noisy to compare with the full run's.
export const QUICK: BenchSizes = {
  ackBatches: 300,
  bursts: [200, 1_000],
  burstRepeats: [1, 1],
  naiveLeads: 40,
  chaosLeads: 300,
  outage: { leads: 100, phaseMs: 45_000, d1Ms: 20_000 },
  outcomeChanges: 200,
  backfillContacts: 5_000,
  liveBurst: 1_000,
  telemetry: {
    tenfold: "denser",
    days: 30,
    contactsPerDay: 20,
    deltaContacts: 100,
    deltaConversions: 6,
    deltaStageMoves: 8,
    repeats: 3,
  },
};

export function sizesFromArgs(argv = process.argv.slice(2)): BenchSizes & { quick: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      "chaos-leads": { type: "string" },
      "skip-chaos": { type: "boolean", default: false },
      "skip-outage": { type: "boolean", default: false },
      "telemetry-tenfold": { type: "string", default: "denser" },
    },
  });
  const tenfold = values["telemetry-tenfold"];
  if (tenfold !== "denser" && tenfold !== "longer")
    throw new Error(`--telemetry-tenfold is denser or longer, not ${tenfold}`);
  const base = values.quick ? QUICK : FULL;
  const chaosLeads = values["skip-chaos"] ? 0 : Number(values["chaos-leads"] ?? base.chaosLeads);
  return {
    ...base,
    chaosLeads,
    outage: values["skip-outage"] ? null : base.outage,
    telemetry: { ...base.telemetry, tenfold },
    quick: Boolean(values.quick),
  };
}
