import type { Clients } from "../../shared/clients";
import type { FunnelReport } from "../../shared/contracts/report";
import { addDays } from "../../shared/days";
import { readReps } from "../../shared/db/quotas";
import { saveFunnelReport } from "../../shared/db/reports";
import type { Logger } from "../../shared/log";
import { overBudget, readUsage, recordUsage } from "../../shared/salesforce/budget";
import { readLeadStatusMap } from "../outcomes/status-map";
import { buildReport } from "./build-report";
import { readContentInputs } from "./content-inputs";
import type { MetricRow } from "./facts";
import { leadFacts } from "./lead-facts";
import { readPending } from "./pending";
import { pullSalesforce } from "./pull";
import type { QuotaRow, Rep } from "./quota";
import { readRoutingDay } from "./routing-day";
import { readSalesInputs, refreshSalesDays } from "./sales-days";
import { closedStageTest, type JumpFinding } from "./sales-facts";
import {
  leadDaysDone,
  readLeadDay,
  readSettings,
  readStages,
  recomputeSalesDays,
  refreshClosedDays,
  replaceLeadDay,
} from "./store";
import { readCumulative } from "./totals";

export interface TelemetryDeps {
  db: D1Database;
  kv: KVNamespace;
  clients: Pick<Clients, "salesforce">;
  budgetShare: number;
  /** The Lead field sales' refusal reason is read from (SALESFORCE_DISQUALIFICATION_FIELD). */
  disqualificationField: string;
  log: Logger;
  now?: () => number;
}

export interface TelemetryRun {
  report: FunnelReport;
  salesforce: { pulled: Record<string, number>; complete: boolean; skipped?: string };
}

const TRAILING_DAYS = 7;

/**
 * The nightly job for one UTC day: pull what changed in Salesforce, rebuild the aggregates of
 * the days those changes touch and of the report day, then write the report. Running a day
 * again replaces its rows with the same values.
 */
export async function runTelemetry(date: string, deps: TelemetryDeps): Promise<TelemetryRun> {
  const { db, kv, log } = deps;
  const now = deps.now ?? Date.now;
  const settings = await readSettings(db);

  const salesforce = await pullWithinBudget(deps);
  // What this pull and the 5-minute outcome sync's pulls changed, folded in, then let go.
  const pending = await readNightlyPending(db);
  const isClosed = closedStageTest(await readStages(db), settings.stageMap);
  const dirty = new Set([
    ...pending.days,
    ...(await refreshClosedDays(db, pending.opportunities, isClosed)),
    date,
  ]);
  await recomputeSalesDays(db, dirty, settings.stageMap, isClosed);
  await pending.release();

  // The trailing week feeds the alerts; days never run before get their lead aggregates once.
  const trailing = Array.from({ length: TRAILING_DAYS }, (_, i) => addDays(date, -(i + 1)));
  const done = await leadDaysDone(db, trailing);
  for (const day of [date, ...trailing.filter((d) => !done.has(d))]) {
    await replaceLeadDay(db, day, leadFacts(await readLeadDay(db, day)));
  }

  // Sales' half: the days whose milestones moved, then a bounded window of their aggregates.
  const salesDays = await refreshSalesDays(db, date, settings.staleAfterDays);
  const inputs = await readReportInputs(db, date, trailing, settings.staleAfterDays);
  const report = buildReport({
    date,
    generatedAt: new Date(now()).toISOString(),
    ...inputs,
    unmappedStages: [...inputs.stageOrder.keys()].filter((name) => !(name in settings.stageMap)),
    stageMap: settings.stageMap,
    rampShare: settings.rampShare,
  });
  await saveFunnelReport(db, kv, report);
  log.info("telemetry_done", {
    date,
    dirtyDays: dirty.size,
    salesDays: salesDays.length,
    pulled: salesforce.pulled,
    complete: salesforce.complete,
  });
  return {
    report,
    salesforce: {
      pulled: salesforce.pulled,
      complete: salesforce.complete,
      ...(salesforce.skipped ? { skipped: salesforce.skipped } : {}),
    },
  };
}

async function pullWithinBudget(deps: TelemetryDeps) {
  const empty = { pulled: {}, complete: false };
  if (overBudget(await readUsage(deps.kv), deps.budgetShare)) {
    deps.log.warn("telemetry_pull_skipped", { reason: "salesforce_budget" });
    return { ...empty, skipped: "salesforce_budget" };
  }
  let conn: Awaited<ReturnType<TelemetryDeps["clients"]["salesforce"]>> | undefined;
  try {
    conn = await deps.clients.salesforce();
    const pulled = await pullSalesforce(conn, deps.db, deps.log, {
      disqualificationField: deps.disqualificationField,
      statusMap: await readLeadStatusMap(deps.db),
    });
    return { pulled: pulled.rows, complete: pulled.complete, skipped: undefined };
  } catch (err) {
    // The report still goes out from what the mirror holds; the cursors make tomorrow catch up.
    deps.log.error("telemetry_pull_failed", {
      error: err instanceof Error ? err.message : String(err),
    });
    return { ...empty, skipped: "salesforce_unavailable" };
  } finally {
    if (conn) await recordUsage(deps.kv, conn.limitInfo?.apiUsage);
  }
}

/** The days and deals sf_pending holds for the nightly; release() drops what was read. */
async function readNightlyPending(db: D1Database) {
  const [days, opportunities] = await Promise.all([
    readPending(db, "day"),
    readPending(db, "opportunity"),
  ]);
  return {
    days: new Set(days.keys),
    opportunities: new Set(opportunities.keys),
    release: async () => {
      const statements = [...days.release(), ...opportunities.release()];
      if (statements.length) await db.batch(statements);
    },
  };
}

async function readReportInputs(
  db: D1Database,
  date: string,
  trailingDays: string[],
  staleAfterDays: number,
) {
  const sales = await readSalesInputs(db, date, staleAfterDays);
  const [today, trailing, cumulative, won, reps, quotas, content, stages, findings, routing] =
    await Promise.all([
      db
        .prepare("SELECT day, metric, dim, value FROM telemetry_daily WHERE day = ?")
        .bind(date)
        .all<MetricRow>(),
      db
        .prepare(
          "SELECT day, metric, dim, value FROM telemetry_daily WHERE day >= ? AND day <= ? AND metric IN ('lead.judged_by_source', 'lead.rejected_by_source')",
        )
        .bind(trailingDays[trailingDays.length - 1], trailingDays[0])
        .all<MetricRow>(),
      readCumulative(db, date),
      db
        .prepare(
          "SELECT day, dim AS owner, value AS amount FROM telemetry_daily WHERE metric = 'sf.won_amount' AND day <= ?",
        )
        .bind(date)
        .all<{ day: string; owner: string; amount: number }>(),
      readActiveReps(db),
      db.prepare("SELECT owner, month, amount FROM quotas").all<QuotaRow>(),
      readContentInputs(db, date),
      db
        .prepare("SELECT name, sort_order FROM sf_stages")
        .all<{ name: string; sort_order: number | null }>(),
      db
        .prepare("SELECT * FROM stage_jump_findings WHERE day = ? ORDER BY at, opportunity_id")
        .bind(date)
        .all<JumpFinding>(),
      readRoutingDay(db, date),
    ]);
  return {
    today: today.results,
    trailing: trailing.results,
    cumulative,
    won: won.results,
    reps,
    quotas: quotas.results,
    content,
    stageOrder: new Map(
      stages.results.map((s) => [s.name, s.sort_order ?? Number.MAX_SAFE_INTEGER]),
    ),
    findings: findings.results,
    sales,
    routing,
  };
}

/** The active Users the mirror holds, with the start date time to ramp counts from (readReps). */
async function readActiveReps(db: D1Database): Promise<Rep[]> {
  return (await readReps(db))
    .filter((r) => r.active === true)
    .map((r) => ({ id: r.userId, username: r.username, name: r.name, start_date: r.startDate }));
}
