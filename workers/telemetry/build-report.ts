import { type BulkHandoffs, type FunnelReport, ReportSchema } from "../../shared/contracts/report";
import type { AssetVersion } from "../../shared/db/collateral";
import type { StageMap } from "../../shared/sales-process";
import { contentUsage, type DirectOpportunityGroup, type LeadOriginGroup } from "./content-usage";
import type { MetricRow } from "./facts";
import { type QuotaRow, quotaAttainment, type Rep, timeToRamp, type WonAmount } from "./quota";
import { type RoutingDayInput, routingSection } from "./routing-section";
import type { JumpFinding } from "./sales-facts";
import { type SalesHalfInput, salesHalf } from "./sales-half";

export interface ReportInputs {
  date: string;
  generatedAt: string;
  /** Every metric row of the report day. */
  today: MetricRow[];
  /** lead.judged_by_source and lead.rejected_by_source of the seven days before. */
  trailing: MetricRow[];
  /** Sums over every day up to the report day (dim kept, day ignored). */
  cumulative: MetricRow[];
  won: WonAmount[];
  reps: Rep[];
  quotas: QuotaRow[];
  /** Collateral versions and the leads and opportunities to credit them with (to date). */
  content: {
    versions: AssetVersion[];
    leads: LeadOriginGroup[];
    direct: DirectOpportunityGroup[];
  };
  stageMap: StageMap;
  /** Salesforce stage name → SortOrder, to list stages in pipeline order. */
  stageOrder: Map<string, number>;
  rampShare: number;
  findings: JumpFinding[];
  unmappedStages: string[];
  /** The sales half's window of `sales.*` aggregates; without it the report has no sales half. */
  sales?: SalesHalfInput;
  /** The day's assignments, first touches and SLA breaches; without it, no routing section. */
  routing?: RoutingDayInput;
}

/**
 * An alert needs a few judgements that day and a rise of this many points over the trailing rate.
 */
export const ALERT_MIN_JUDGED = 3;
export const ALERT_MIN_RISE = 0.1;
const MAX_FINDINGS = 50;

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : null);

function byDim(rows: MetricRow[], metric: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) if (r.metric === metric) out.set(r.dim, (out.get(r.dim) ?? 0) + r.value);
  return out;
}

const one = (rows: MetricRow[], metric: string) => byDim(rows, metric).get("") ?? 0;
const maybe = (rows: MetricRow[], metric: string) =>
  rows.find((r) => r.metric === metric && r.dim === "")?.value ?? null;

export function buildReport(input: ReportInputs): FunnelReport {
  const { today, cumulative } = input;
  const judged = one(today, "lead.judged");
  const qualified = one(today, "lead.qualified");

  const judgedBySource = byDim(today, "lead.judged_by_source");
  const rejectedBySource = byDim(today, "lead.rejected_by_source");
  const rejectionRateBySource = [...judgedBySource]
    .map(([source, n]) => ({
      source,
      judged: n,
      rejected: rejectedBySource.get(source) ?? 0,
      rate: ratio(rejectedBySource.get(source) ?? 0, n),
    }))
    .sort((a, b) => a.source.localeCompare(b.source));

  const stageClosed = byDim(cumulative, "sf.stage_closed");
  const stageWon = byDim(cumulative, "sf.stage_won");
  const stageReached = byDim(cumulative, "sf.stage_reached");
  const order = (stage: string) => input.stageOrder.get(stage) ?? Number.MAX_SAFE_INTEGER;
  const inPipelineOrder = (a: string, b: string) => order(a) - order(b) || a.localeCompare(b);
  const winRateByStage = [...new Set([...stageReached.keys(), ...stageClosed.keys()])]
    .sort(inPipelineOrder)
    .map((stage) => {
      const closed = stageClosed.get(stage) ?? 0;
      const won = stageWon.get(stage) ?? 0;
      return {
        stage,
        state: input.stageMap[stage] ?? null,
        reached: stageReached.get(stage) ?? 0,
        closed,
        won,
        winRate: ratio(won, closed),
      };
    });
  const lostAt = byDim(cumulative, "sf.lost_at");
  const lostAtStage = [...lostAt.keys()]
    .sort(inPipelineOrder)
    .map((stage) => ({ stage, state: input.stageMap[stage] ?? null, lost: lostAt.get(stage)! }));

  const report: FunnelReport = {
    date: input.date,
    generatedAt: input.generatedAt,
    funnel: {
      webhookEvents: one(today, "lead.webhook_events"),
      contactsJudged: judged,
      qualified,
      rejected: one(today, "lead.rejected"),
      handedOff: one(today, "lead.handed_off"),
      handedOffNoLongerQualifying: one(today, "lead.no_longer_qualifies"),
      convertedToOpportunity: one(today, "sf.converted"),
      won: one(today, "sf.won"),
      lost: one(today, "sf.lost"),
    },
    acceptanceRate: ratio(qualified, judged),
    acceptanceByRulesVersion: [...byDim(today, "lead.judged_by_rules")]
      .map(([version, n]) => {
        const q = byDim(today, "lead.qualified_by_rules").get(version) ?? 0;
        return { version: Number(version), judged: n, qualified: q, acceptanceRate: ratio(q, n) };
      })
      .sort((a, b) => a.version - b.version),
    rejectionReasons: [...byDim(today, "lead.reason")]
      .map(([code, count]) => ({ code, count }))
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
    rejectionRateBySource,
    speedToLead: {
      p50Ms: maybe(today, "lead.speed_p50_ms"),
      p95Ms: maybe(today, "lead.speed_p95_ms"),
      maxMs: maybe(today, "lead.speed_max_ms"),
      count: one(today, "lead.speed_count"),
    },
    bulkHandoffs: bulkHandoffs(today),
    winRateByStage,
    lostAtStage,
    contentUsage: contentUsage(input.content.versions, input.content.leads, input.content.direct),
    quotaAttainment: quotaAttainment(input.date, input.reps, input.quotas, input.won),
    timeToRamp: timeToRamp(input.date, input.reps, input.quotas, input.won, input.rampShare),
    alerts: rejectionAlerts(rejectionRateBySource, input.trailing),
    dataQuality: {
      illegalStageJumps: input.findings.length,
      findings: input.findings.slice(0, MAX_FINDINGS).map((f) => ({
        opportunityId: f.opportunity_id,
        from: f.from_stage,
        to: f.to_stage,
        at: f.at,
        reason: f.reason,
      })),
      unmappedStages: [...input.unmappedStages].sort(),
    },
    ...(input.sales ? { sales: salesHalf(input.sales) } : {}),
    ...(input.routing ? { routing: routingSection(input.routing, input.reps) } : {}),
  };
  return ReportSchema.parse(report);
}

/** A source whose rejection rate today rose above its rate over the seven days before. */
export function rejectionAlerts(
  today: FunnelReport["rejectionRateBySource"],
  trailing: MetricRow[],
): FunnelReport["alerts"] {
  const judged = byDim(trailing, "lead.judged_by_source");
  const rejected = byDim(trailing, "lead.rejected_by_source");
  return today.flatMap((s) => {
    const trailingRate = ratio(rejected.get(s.source) ?? 0, judged.get(s.source) ?? 0);
    if (s.rate === null || trailingRate === null || s.judged < ALERT_MIN_JUDGED) return [];
    if (s.rate < trailingRate + ALERT_MIN_RISE) return [];
    const pct = (x: number) => `${Math.round(x * 100)}%`;
    return [
      {
        kind: "rejection_rate_spike" as const,
        source: s.source,
        rate: s.rate,
        trailingRate,
        judged: s.judged,
        message: `Rejection rate for source "${s.source}" is ${pct(s.rate)} today against ${pct(trailingRate)} over the previous 7 days`,
      },
    ];
  });
}

/** The day's first handoffs of backfilled and resynced contacts, and how fast they went. */
function bulkHandoffs(today: MetricRow[]): BulkHandoffs {
  const count = one(today, "lead.bulk_handed_off");
  const byOrigin = byDim(today, "lead.bulk_handed_off_by_origin");
  const spanMs = maybe(today, "lead.bulk_span_ms");
  return {
    count,
    backfill: byOrigin.get("backfill") ?? 0,
    resync: byOrigin.get("resync") ?? 0,
    spanMs,
    perMinute: spanMs ? count / (spanMs / 60_000) : null,
  };
}
