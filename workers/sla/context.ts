import type { Connection } from "jsforce";
import type { Clients } from "../../shared/clients";
import type { Pool, PoolSla, Routing } from "../../shared/contracts/routing";
import { latestRouting, routingVersion } from "../../shared/db/routings";
import type { Config } from "../../shared/env";
import type { Logger } from "../../shared/log";
import { RetryableError } from "../../shared/retryable";
import { overBudget, readUsage, recordUsage } from "../../shared/salesforce/budget";
import type { SlaTimer } from "./timers";

// What the SLA consumer's stages share: their dependencies, the batch's routings, Salesforce
// calls within Leadbridge's budget.

export interface SlaDeps {
  db: D1Database;
  kv: KVNamespace;
  clients: Pick<Clients, "salesforce">;
  config: Pick<Config, "SALESFORCE_LOGIN_URL" | "SALESFORCE_DAILY_BUDGET_SHARE">;
  /** lead-sla: timers sent again (early, the next breach, a last delivery). */
  timers: Queue;
  deadLetters: Queue;
  log: Logger;
  now?: () => number;
}

export interface Due {
  msg: Message<unknown>;
  timer: SlaTimer;
}

/** Puts a timer off: a retry of its message (see laterFor in consumer.ts). */
export type Later = (due: Due, delaySeconds: number) => Promise<void>;

/**
 * A Salesforce call within Leadbridge's share of the daily allocation; the usage it reports is
 * recorded for the other roles' budget checks.
 */
export async function withSalesforce<T>(
  deps: SlaDeps,
  call: (conn: Connection) => Promise<T>,
): Promise<T> {
  if (overBudget(await readUsage(deps.kv), deps.config.SALESFORCE_DAILY_BUDGET_SHARE))
    throw new RetryableError(
      "Salesforce API usage is above the configured share of the daily allocation",
      "salesforce_budget",
      15 * 60,
    );
  const conn = await deps.clients.salesforce();
  try {
    return await call(conn);
  } finally {
    await recordUsage(deps.kv, conn.limitInfo?.apiUsage);
  }
}

/**
 * The routing versions a batch's timers name, and the one in force, read once each. A timer's SLA
 * is its assigning version's; who a breach goes to and where alerts go come from the routing in
 * force (members and the alert URL change), the assigning version's pool when it is gone.
 */
export class Routings {
  private readonly versions = new Map<number, Promise<Routing | null>>();
  private latest?: Promise<Routing | null>;

  constructor(private readonly db: D1Database) {}

  version(n: number): Promise<Routing | null> {
    let v = this.versions.get(n);
    if (!v) {
      v = routingVersion(this.db, n).then((r) => r?.routing ?? null);
      this.versions.set(n, v);
    }
    return v;
  }

  inForce(): Promise<Routing | null> {
    this.latest ??= latestRouting(this.db).then((r) => r?.routing ?? null);
    return this.latest;
  }

  async sla(timer: Pick<SlaTimer, "pool" | "routingVersion">): Promise<PoolSla | null> {
    const routing = await this.version(timer.routingVersion);
    return routing?.pools.find((p) => p.name === timer.pool)?.sla ?? null;
  }

  async pool(timer: Pick<SlaTimer, "pool" | "routingVersion">): Promise<Pool | null> {
    const current = (await this.inForce())?.pools.find((p) => p.name === timer.pool);
    if (current) return current;
    return (
      (await this.version(timer.routingVersion))?.pools.find((p) => p.name === timer.pool) ?? null
    );
  }

  async alertUrl(timer: Pick<SlaTimer, "routingVersion">): Promise<string | null> {
    const routing = (await this.inForce()) ?? (await this.version(timer.routingVersion));
    return routing?.alertUrl ?? null;
  }

  /** Every member and manager of the timers' pools, for names and who is inactive. */
  async memberIds(timers: { timer: Pick<SlaTimer, "pool" | "routingVersion"> }[]) {
    const ids: string[] = [];
    for (const { timer } of timers) {
      const pool = await this.pool(timer);
      if (pool)
        ids.push(
          ...pool.members.map((m) => m.userId),
          ...(pool.managerUserId ? [pool.managerUserId] : []),
        );
    }
    return ids;
  }
}
