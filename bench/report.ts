import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { BackfillFigures } from "./backfill";
import type { BundleFigures } from "./bundle";
import type { BurstFigures } from "./handoff-burst";
import type { LiveDuringBackfillFigures } from "./live-during-backfill";
import type { StartupFigures } from "./startup";
import type { WebhookAckFigures } from "./webhook-ack";

/** bench/results/latest.json: exactly the keys. */
export interface LatestResults {
  webhookAck: WebhookAckFigures;
  handoff: BurstFigures & { bursts: Record<string, BurstFigures> };
  apiCalls: {
    hubspotPerLead: number;
    salesforcePerLead: number;
    naiveHubspotPerLead: number;
    naiveSalesforcePerLead: number;
  };
  telemetry: {
    deltaEvents: number;
    historyEvents: number;
    seconds: number;
    secondsAt10xHistory: number;
    growthRatio: number;
  } | null;
  bundle: BundleFigures;
  /** The Worker's startup CPU as `wrangler check startup` profiles it, median of runs (bench/startup.ts). */
  startup: StartupFigures;
  /** A day of sales changes brought back to HubSpot by the outcome sync (bench/outcomes.ts). */
  outcomeSync: {
    changes: number;
    salesforceQueries: number;
    hubspotBatchUpdates: number;
    hubspotCalls: number;
    /** SOQL pages per 2,000 changed records: the issue allows one (plus one per object pulled). */
    salesforceQueriesPer2000: number;
    /** HubSpot batch updates per 100 contacts told: the issue allows one. */
    hubspotUpdatesPer100: number;
    idleSalesforceQueries: number;
    idleHubspotCalls: number;
  } | null;
  chaos: {
    leads: number;
    lost: number;
    duplicates: number;
    missingFeedback: number;
    deadLettered: number;
  };
  /**
   * The outage run (test/chaos/outage.ts): HubSpot, Salesforce, then D1 down while leads arrive;
   * null when skipped. settledSeconds: from D1 back to the last lead settled.
   */
  outage: {
    lost: number;
    duplicates: number;
    missingFeedback: number;
    deadLettered: number;
    settledSeconds: number;
  } | null;
  /** A 1,000-lead webhook burst while a backfill of backfillContacts runs (live-during-backfill.ts). */
  liveDuringBackfill: LiveDuringBackfillFigures;
  /**
   * A backfill of `contacts` alone, POST to every contact settled, and the floor HubSpot's search
   * and per-app limits set for the calls it needs (bench/backfill.ts).
   */
  backfill: BackfillFigures;
  /** A rules preview over `contacts` stored judgements (bench/preview.ts). */
  preview: { contacts: number; seconds: number };
  /** GET /admin/requirements over `requests` stored requests (bench/requirements.ts). */
  requirements: { requests: number; seconds: number };
  /** Salesforce calls per lead of a burst without and with a routing in force (bench/routing.ts). */
  routing: { leads: number; salesforcePerLeadWithout: number; salesforcePerLeadWith: number };
}

/** Figures of the same run that are not in latest.json: the ack's baseline. */
export interface SameRun {
  healthP50Ms: number;
  healthP99Ms: number;
}

export const GOALS: {
  label: string;
  value: (r: LatestResults, same: SameRun) => number | undefined;
  max: number;
}[] = [
  { label: "apiCalls.hubspotPerLead", value: (r) => r.apiCalls.hubspotPerLead, max: 0.05 },
  { label: "apiCalls.salesforcePerLead", value: (r) => r.apiCalls.salesforcePerLead, max: 0.01 },
  { label: "webhookAck.p99Ms", value: (r) => r.webhookAck.p99Ms, max: 25 },
  {
    label: "webhookAck.p50Ms / GET /health p50 (same run)",
    value: (r, same) => r.webhookAck.p50Ms / same.healthP50Ms,
    max: 1.1,
  },
  {
    label: "webhookAck.p99Ms / GET /health p99 (same run)",
    value: (r, same) => r.webhookAck.p99Ms / same.healthP99Ms,
    max: 1.2,
  },
  {
    label: "handoff.bursts.1000.p50SpeedToLeadMs",
    value: (r) => r.handoff.bursts["1000"]?.p50SpeedToLeadMs,
    max: 700,
  },
  {
    label: "handoff.bursts.1000.p95SpeedToLeadMs",
    value: (r) => r.handoff.bursts["1000"]?.p95SpeedToLeadMs,
    max: 1000,
  },
  { label: "bundle.gzipBytes", value: (r) => r.bundle.gzipBytes, max: 800_000 },
  {
    // Within 1.3× of what HubSpot's rate limit alone needs for the Worker's calls of the burst.
    label: "handoff.bursts.10000.p95SpeedToLeadMs / floorSeconds",
    value: (r) => {
      const b = r.handoff.bursts["10000"];
      return b?.floorSeconds ? b.p95SpeedToLeadMs / 1000 / b.floorSeconds : undefined;
    },
    max: 1.3,
  },
  {
    label: "handoff.bursts.1000.judgeShare",
    value: (r) => r.handoff.bursts["1000"]?.judgeShare ?? undefined,
    max: 0.05,
  },
  {
    label: "liveDuringBackfill.p95SpeedToLeadMs",
    value: (r) => r.liveDuringBackfill.p95SpeedToLeadMs,
    max: 2000,
  },
  { label: "startup.cpuMs", value: (r) => r.startup.cpuMs, max: 60 },
  {
    label: "backfill.seconds / backfill.floorSeconds",
    value: (r) => r.backfill.seconds / r.backfill.floorSeconds,
    max: 1.3,
  },
  { label: "preview.seconds", value: (r) => r.preview.seconds, max: 5 },
  { label: "requirements.seconds", value: (r) => r.requirements.seconds, max: 1 },
  { label: "telemetry.growthRatio", value: (r) => r.telemetry?.growthRatio, max: 1.5 },
  {
    label: "outcomeSync.hubspotUpdatesPer100",
    value: (r) => r.outcomeSync?.hubspotUpdatesPer100,
    max: 1,
  },
  {
    label: "outcomeSync.idleSalesforceQueries",
    value: (r) => r.outcomeSync?.idleSalesforceQueries,
    max: 2,
  },
  { label: "outcomeSync.idleHubspotCalls", value: (r) => r.outcomeSync?.idleHubspotCalls, max: 0 },
  { label: "chaos.lost", value: (r) => r.chaos.lost, max: 0 },
  { label: "chaos.duplicates", value: (r) => r.chaos.duplicates, max: 0 },
  { label: "chaos.missingFeedback", value: (r) => r.chaos.missingFeedback, max: 0 },
  { label: "outage.lost", value: (r) => r.outage?.lost, max: 0 },
  { label: "outage.duplicates", value: (r) => r.outage?.duplicates, max: 0 },
  { label: "outage.missingFeedback", value: (r) => r.outage?.missingFeedback, max: 0 },
  { label: "outage.deadLettered", value: (r) => r.outage?.deadLettered, max: 0 },
];

export function writeResults(dir: string, latest: LatestResults, baseline: unknown): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "latest.json"), `${JSON.stringify(latest, null, 2)}\n`);
  writeFileSync(path.join(dir, "baseline.json"), `${JSON.stringify(baseline, null, 2)}\n`);
}

/** Rows of [figure, value, baseline, ratio] for the printed table. */
export function printTable(rows: [string, string, string, string][]): void {
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  console.log(line(rows[0]!));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows.slice(1)) console.log(line(row));
}
