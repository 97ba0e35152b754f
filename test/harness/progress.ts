import type { HubSpotSandbox } from "../../sandbox/hubspot/server";
import { sleep } from "./control";
import { queryD1 } from "./d1";

export interface Progress {
  /** Contacts showing leadbridge_status (handed_off or rejected) in the sandbox HubSpot. */
  settled: number;
  deadLettered: number;
}

/**
 * Polls until every contact shows its feedback in HubSpot (read from the in-process sandbox,
 * costing no API call) or sits in the dead-letter record, or nothing moved for `stallMs`.
 * D1 is read only when progress pauses: a second process on the SQLite file can lock it.
 */
export async function waitForLeads(
  hubspot: HubSpotSandbox,
  stateDir: string,
  contactIds: string[],
  opts: { stallMs: number; pollMs?: number; log?: (line: string) => void },
): Promise<{ progress: Progress; complete: boolean; settledAt: number }> {
  const pending = new Set(contactIds);
  let settled = 0;
  let deadLettered = 0;
  let movedAt = Date.now();
  let deadCheckedAt = 0;
  for (;;) {
    for (const id of pending) {
      const status = hubspot.state.store.get("contacts", id)?.properties.get("leadbridge_status");
      if (status === "handed_off" || status === "rejected") pending.delete(id);
    }
    const now = contactIds.length - pending.size;
    if (now !== settled) {
      settled = now;
      movedAt = Date.now();
      opts.log?.(`  ${settled}/${contactIds.length} leads have their feedback in HubSpot`);
    }
    const progress = () => ({ settled, deadLettered });
    if (!pending.size) return { progress: progress(), complete: true, settledAt: movedAt };
    const idle = Date.now() - movedAt;
    // Contacts still pending may be retrying with backoff or dead-lettered since: D1 is looked at
    // every 20 s of quiet.
    if (idle > 20_000 && Date.now() - deadCheckedAt > 20_000) {
      deadCheckedAt = Date.now();
      deadLettered =
        (await queryD1<{ n: number }>(stateDir, "SELECT count(*) AS n FROM dead_letters"))[0]?.n ??
        0;
      if (settled + deadLettered >= contactIds.length)
        return { progress: progress(), complete: true, settledAt: movedAt };
    }
    if (idle > opts.stallMs) return { progress: progress(), complete: false, settledAt: movedAt };
    await sleep(opts.pollMs ?? 1000);
  }
}
