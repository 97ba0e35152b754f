import { DEPENDENCIES, type Dependency, type ErrorKind, HOLD_KINDS } from "./contracts/outcomes";
import type { Logger } from "./log";

export type { Dependency };

/**
 * Pauses (docs/handoff.md, "Pauses"): when HubSpot, Salesforce or D1 fails as a whole, the work
 * that needs it waits with growing delays instead of spending its deliveries, and a record per
 * dependency says since when, for sync health. Kept in KV: D1 may be what is down.
 */
/** The error kinds that are a dependency failing as a whole, never one contact's own error. */
const OUTAGES: ReadonlyMap<ErrorKind, Dependency> = new Map<ErrorKind, Dependency>([
  ["hubspot_rate_limited", "hubspot"],
  ["hubspot_unavailable", "hubspot"],
  ["hubspot_auth", "hubspot"],
  ["salesforce_unavailable", "salesforce"],
  ["salesforce_auth", "salesforce"],
  // A hold (it waits its own way) that is also Salesforce refusing everything: shown as a pause.
  ["salesforce_limit", "salesforce"],
  ["d1_unavailable", "d1"],
]);

/** The dependency an error kind is the failure of, if it is one. */
export const dependencyOf = (kind: ErrorKind): Dependency | undefined => OUTAGES.get(kind);

/** Work failing with this kind pauses: it waits, never dead-lettered (holds wait their own way). */
export const pauses = (kind: ErrorKind): boolean => OUTAGES.has(kind) && !HOLD_KINDS.has(kind);

/** The first wait of a pause, and the longest: 15 s doubling to 15 minutes. */
export const PAUSE_FIRST_SECONDS = 15;
export const PAUSE_CAP_SECONDS = 15 * 60;

/**
 * How long paused work waits before it is tried again: 15 s after the first delivery, doubling
 * with each, and never less than the pause has lasted so far, up to 15 minutes. The pause's age
 * carries the growth across a re-send (a fresh message's deliveries start over, the outage does
 * not) and lets work arriving in a long outage wait as long as the work already waiting, instead
 * of every message probing the dependency from 15 s again. Without a record, deliveries alone.
 */
export function pauseDelaySeconds(attempts: number, since?: number, now = Date.now()): number {
  const byDeliveries = PAUSE_FIRST_SECONDS * 2 ** Math.max(0, attempts - 1);
  const byAge = since === undefined ? 0 : Math.ceil((now - since) / 1000);
  return Math.min(Math.max(byDeliveries, byAge), PAUSE_CAP_SECONDS);
}

/** A dependency Leadbridge is waiting for: no personal data, only kinds and times. */
export interface PauseRecord {
  dependency: Dependency;
  /** The kind of the last outage error seen. */
  reason: ErrorKind;
  since: number;
  lastSeen: number;
}

const keyOf = (dependency: Dependency) => `pause:${dependency}`;
/**
 * While a pause lasts its work comes back at least every 15 minutes and refreshes the record; one
 * nobody refreshed for an hour (no work needing the dependency) is let go.
 */
const RECORD_TTL_SECONDS = 60 * 60;
/** KV takes one write a second per key: a record seen again within this is left as it is. */
const REFRESH_AFTER_MS = 30_000;

/** What one batch learnt about its dependencies: outage errors seen, calls answered. */
export class DependencyWatch {
  private readonly seen = new Map<Dependency, ErrorKind>();
  private readonly answered = new Set<Dependency>();

  /** An error the work failed with; only outage kinds count. */
  saw(kind: ErrorKind): void {
    const dependency = dependencyOf(kind);
    if (dependency && !this.seen.has(dependency)) this.seen.set(dependency, kind);
  }

  /** The dependency answered a call: it works (unless the batch also saw it fail). */
  worked(dependency: Dependency): void {
    this.answered.add(dependency);
  }

  /** Per dependency the batch learnt about: the outage seen, or null when it only worked. */
  verdicts(): Map<Dependency, ErrorKind | null> {
    const verdicts = new Map<Dependency, ErrorKind | null>(this.seen);
    for (const d of this.answered) if (!verdicts.has(d)) verdicts.set(d, null);
    return verdicts;
  }
}

/**
 * Writes what the batch learnt: a pause record per dependency seen failing (its start kept), and
 * the record cleared for one that answered without failing. Returns the records in force for
 * the dependencies seen failing. Best effort: KV failing leaves the delays to the deliveries.
 */
export async function recordPauses(
  kv: KVNamespace,
  watch: DependencyWatch,
  log: Logger,
  now = Date.now(),
): Promise<Map<Dependency, PauseRecord>> {
  const inForce = new Map<Dependency, PauseRecord>();
  await Promise.all(
    [...watch.verdicts()].map(async ([dependency, reason]) => {
      try {
        const record = await kv.get<PauseRecord>(keyOf(dependency), "json");
        if (reason === null) {
          if (record) {
            await kv.delete(keyOf(dependency));
            log.info("pause_ended", { dependency, since: record.since, ms: now - record.since });
          }
          return;
        }
        const fresh = record?.reason === reason && now - record.lastSeen < REFRESH_AFTER_MS;
        const next: PauseRecord = fresh
          ? record
          : { dependency, reason, since: record?.since ?? now, lastSeen: now };
        inForce.set(dependency, next);
        if (fresh) return;
        if (!record) log.warn("pause_started", { dependency, reason });
        await kv.put(keyOf(dependency), JSON.stringify(next), {
          expirationTtl: RECORD_TTL_SECONDS,
        });
      } catch (err) {
        log.warn("pause_record_failed", {
          dependency,
          error: (err instanceof Error ? err.message : String(err)).slice(0, 200),
        });
      }
    }),
  );
  return inForce;
}

/** The pauses in force, for sync health; none when KV cannot be read. */
export async function readPauses(kv: KVNamespace): Promise<PauseRecord[]> {
  const records = await Promise.all(
    DEPENDENCIES.map((d) => kv.get<PauseRecord>(keyOf(d), "json").catch(() => null)),
  );
  return records.filter((r): r is PauseRecord => r !== null);
}

const NAMES: Record<Dependency, string> = {
  hubspot: "HubSpot",
  salesforce: "Salesforce",
  d1: "D1",
};

/**
 * Pauses that only a person can end, by what refuses what, and what to fix: Leadbridge's own
 * credentials. The work waits meanwhile and carries on by itself once they are fixed.
 */
const REFUSALS: Partial<Record<ErrorKind, { refused: string; fix: string }>> = {
  hubspot_auth: {
    refused: "HubSpot refuses Leadbridge's token",
    fix: "deploy the HubSpot private app's current access token as the HUBSPOT_ACCESS_TOKEN secret (wrangler secret put HUBSPOT_ACCESS_TOKEN) and check the app has the scopes in docs/deploy.md",
  },
  salesforce_auth: {
    refused: "Salesforce refuses Leadbridge's credentials",
    fix: "check the connected app's client credentials flow and run-as user, and deploy its consumer key and secret as the SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET secrets",
  },
};

/**
 * The line a person reads: "paused: HubSpot unavailable since <ISO> (hubspot_rate_limited)", or,
 * for refused credentials, "paused: HubSpot refuses Leadbridge's token since <ISO> (hubspot_auth):
 * <what to fix>".
 */
export function describePause(record: PauseRecord): string {
  const since = new Date(record.since).toISOString();
  const refusal = REFUSALS[record.reason];
  if (refusal)
    return `paused: ${refusal.refused} since ${since} (${record.reason}): ${refusal.fix}`;
  return `paused: ${NAMES[record.dependency]} unavailable since ${since} (${record.reason})`;
}
