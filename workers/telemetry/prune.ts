import type { Logger } from "../../shared/log";

const DAY = 86_400_000;
/**
 * Handled event keys are kept far past HubSpot's 24 h of retries (and a month of dead-letter
 * replays).
 */
export const SEEN_EVENTS_KEEP_DAYS = 30;
/** Delivery rows only guard against a queue message counted twice; a week is plenty. */
export const DELIVERIES_KEEP_DAYS = 7;
/** A contact's audit trail: half a year answers "why was this lead refused?" (docs/admin.md). */
export const AUDIT_KEEP_DAYS = 180;
/** A replayed dead letter: a month to look back at what failed. Open ones are never pruned. */
export const REPLAYED_DEAD_LETTERS_KEEP_DAYS = 30;
/** A backfill's contacts, once the job is done (or cancelled or failed and left alone). */
export const JOB_CONTACTS_KEEP_DAYS = 30;
/**
 * A note intent outlives its note only when the batch that posted it never landed; its contact's
 * retries and a month of dead-letter replays are over by then, as for handled event keys.
 */
export const NOTE_INTENTS_KEEP_DAYS = 30;
/**
 * A privacy deletion's tombstone (a keyed hash, no id): HubSpot retries for a day, and replays of
 * the contact's dead letters are gone with the purge; a month outlasts any late event.
 */
export const PRIVACY_TOMBSTONES_KEEP_DAYS = 30;
/**
 * What a contact's last judgement read, for rules previews (30 days back by default): a preview
 * asked for more days sees the contacts judged in the last 90 only.
 */
export const JUDGED_SNAPSHOTS_KEEP_DAYS = 90;

const ROWS_PER_STATEMENT = 20_000;
/** Statements per table a night: at most 400,000 rows, about a busy day's inserts. */
const MAX_STATEMENTS = 20;

export interface Pruned {
  seenEvents: number;
  deliveries: number;
  audit: number;
  deadLetters: number;
  jobContacts: number;
  noteIntents: number;
  privacyTombstones: number;
  judgedSnapshots: number;
}

/**
 * Nightly: drops what is past its keeping time (handled event keys, delivery counts, audit lines,
 * replayed dead letters, finished backfills' contacts, note intents, privacy tombstones, judged snapshots), a bounded number of rows a
 * night per table (a night's deletions are about a day's inserts, so this keeps pace). Each table
 * is pruned on its own: one failing leaves the others pruned, and the first error is thrown after.
 */
export async function pruneHandledState(db: D1Database, now: number, log: Logger): Promise<Pruned> {
  const before = (days: number) => now - days * DAY;
  /** Deletes, in bounded statements, the rows `select` (a rowid query taking `?1` and a limit) finds. */
  const prune = async (table: string, select: string, cutoff: number) => {
    let total = 0;
    for (let i = 0; i < MAX_STATEMENTS; i++) {
      const { meta } = await db
        .prepare(`DELETE FROM ${table} WHERE rowid IN (${select} LIMIT ${ROWS_PER_STATEMENT})`)
        .bind(cutoff)
        .run();
      total += meta.changes ?? 0;
      if ((meta.changes ?? 0) < ROWS_PER_STATEMENT) break;
    }
    return total;
  };
  const older = (table: string, column: string) =>
    `SELECT rowid FROM ${table} WHERE ${column} < ?1`;
  const work: Record<keyof Pruned, () => Promise<number>> = {
    seenEvents: () =>
      prune("seen_events", older("seen_events", "seen_at"), before(SEEN_EVENTS_KEEP_DAYS)),
    deliveries: () =>
      prune(
        "webhook_deliveries",
        older("webhook_deliveries", "received_at"),
        before(DELIVERIES_KEEP_DAYS),
      ),
    audit: () => prune("audit", older("audit", "at"), before(AUDIT_KEEP_DAYS)),
    deadLetters: () =>
      prune(
        "dead_letters",
        "SELECT rowid FROM dead_letters WHERE replayed_at IS NOT NULL AND replayed_at < ?1",
        before(REPLAYED_DEAD_LETTERS_KEEP_DAYS),
      ),
    jobContacts: () =>
      prune(
        "job_contacts",
        `SELECT jc.rowid FROM job_contacts jc JOIN jobs j ON j.id = jc.job_id
         WHERE j.state <> 'running' AND coalesce(j.finished_at, j.updated_at) < ?1`,
        before(JOB_CONTACTS_KEEP_DAYS),
      ),
    noteIntents: () =>
      prune("note_intents", older("note_intents", "at"), before(NOTE_INTENTS_KEEP_DAYS)),
    privacyTombstones: () =>
      prune(
        "privacy_tombstones",
        older("privacy_tombstones", "at"),
        before(PRIVACY_TOMBSTONES_KEEP_DAYS),
      ),
    judgedSnapshots: () =>
      prune(
        "judged_snapshots",
        older("judged_snapshots", "judged_at"),
        before(JUDGED_SNAPSHOTS_KEEP_DAYS),
      ),
  };
  const pruned: Pruned = {
    seenEvents: 0,
    deliveries: 0,
    audit: 0,
    deadLetters: 0,
    jobContacts: 0,
    noteIntents: 0,
    privacyTombstones: 0,
    judgedSnapshots: 0,
  };
  let failure: unknown;
  for (const [name, run] of Object.entries(work) as [keyof Pruned, () => Promise<number>][]) {
    try {
      pruned[name] = await run();
    } catch (err) {
      failure ??= err;
      log.error("prune_failed", { table: name, error: messageOf(err) });
    }
  }
  log.info("pruned", { ...pruned });
  if (failure) throw failure;
  return pruned;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message.slice(0, 200) : "unknown");
