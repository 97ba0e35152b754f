import type { Clients } from "../../shared/clients";
import type { OutcomeRun } from "../../shared/contracts/outcome-sync";
import type { Logger } from "../../shared/log";
import { overBudget, readUsage, recordUsage } from "../../shared/salesforce/budget";
import { OUTCOME_OBJECTS, pullSalesforce } from "../telemetry/pull";
import { readSettings } from "../telemetry/store";
import { deriveOutcomes } from "./derive-pending";
import { acquireLease } from "./lease";
import { type LeadStatusMap, readLeadStatusMap } from "./status-map";
import { writeOutcomes } from "./write-back";

export interface OutcomeSyncDeps {
  db: D1Database;
  kv: KVNamespace;
  clients: Pick<Clients, "salesforce" | "hubspot">;
  budgetShare: number;
  disqualificationField: string;
  log: Logger;
  now?: () => number;
}

/** Another run holds the lease until `heldUntil` (ms). */
export interface OutcomeSyncBusy {
  busy: true;
  heldUntil: number;
}

/**
 * The outcome sync: pull the Leads and Opportunities changed since the cursors into the mirror the
 * nightly reads, work out each changed Lead's sales outcome, and tell HubSpot what it has not been
 * told. Over the Salesforce budget, or with Salesforce down, the pull is skipped and what is
 * pending is still written.
 */
export async function runOutcomeSync(deps: OutcomeSyncDeps): Promise<OutcomeRun | OutcomeSyncBusy> {
  const now = deps.now ?? Date.now;
  const lease = await acquireLease(deps.db, crypto.randomUUID(), now());
  if ("heldUntil" in lease) {
    deps.log.info("outcomes_busy", { heldUntil: lease.heldUntil });
    return { busy: true, heldUntil: lease.heldUntil };
  }
  try {
    const statusMap = await readLeadStatusMap(deps.db);
    const pull = await pullWithinBudget(deps, statusMap);
    // A run that lost its lease (it outlived it and another run took over) stops writing.
    if (!(await lease.renew(now()))) return leaseLost(deps.log);
    const { stageMap } = await readSettings(deps.db);
    const derived = await deriveOutcomes(deps.db, { statusMap, stageMap }, deps.log, now());
    if (!(await lease.renew(now()))) return leaseLost(deps.log);
    const written = await writeOutcomes(deps.db, deps.clients.hubspot, deps.log, now());
    // Contacts HubSpot refused alone wait for their retry_at: counted apart, not as pending.
    const left = await deps.db
      .prepare(
        `SELECT count(*) AS n, coalesce(sum(retry_at > ?), 0) AS refused
         FROM sales_outcomes WHERE version > written_version`,
      )
      .bind(now())
      .first<{ n: number; refused: number }>();
    const refused = left?.refused ?? 0;
    const pending = (left?.n ?? 0) - refused;
    const run: OutcomeRun = {
      pulled: pull.rows,
      pages: pull.pages,
      derived: derived.derived,
      skippedUnknown: derived.skippedUnknown,
      written,
      pending,
      refused,
      complete: pull.complete && !derived.remaining && pending === 0,
      ...(pull.skipped ? { skipped: pull.skipped } : {}),
    };
    deps.log.info("outcomes_done", { ...run });
    return run;
  } finally {
    await lease.release();
  }
}

function leaseLost(log: Logger): OutcomeSyncBusy {
  log.warn("outcomes_lease_lost");
  return { busy: true, heldUntil: Date.now() };
}

interface PullOutcome {
  rows: Record<string, number>;
  pages: Record<string, number>;
  complete: boolean;
  skipped?: OutcomeRun["skipped"];
}

async function pullWithinBudget(
  deps: OutcomeSyncDeps,
  statusMap: LeadStatusMap,
): Promise<PullOutcome> {
  const none = { rows: {}, pages: {}, complete: false };
  if (overBudget(await readUsage(deps.kv), deps.budgetShare)) {
    deps.log.warn("outcomes_pull_skipped", { reason: "salesforce_budget" });
    return { ...none, skipped: "salesforce_budget" };
  }
  let conn: Awaited<ReturnType<OutcomeSyncDeps["clients"]["salesforce"]>> | undefined;
  try {
    conn = await deps.clients.salesforce();
    const pulled = await pullSalesforce(conn, deps.db, deps.log, {
      objects: OUTCOME_OBJECTS,
      disqualificationField: deps.disqualificationField,
      statusMap,
    });
    return { rows: pulled.rows, pages: pulled.pages, complete: pulled.complete };
  } catch (err) {
    // What the pages already pulled marked is kept; the cursors make the next run go on.
    deps.log.error("outcomes_pull_failed", {
      error: err instanceof Error ? err.message.slice(0, 300) : String(err),
    });
    return { ...none, skipped: "salesforce_unavailable" };
  } finally {
    if (conn) await recordUsage(deps.kv, conn.limitInfo?.apiUsage);
  }
}
