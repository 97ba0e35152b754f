import { chunks, runLimited } from "../batching";
import type { HubSpot } from "./apis";
import { HUBSPOT_BATCH_MAX } from "./notes";
import { withHubSpotRetry } from "./retry";

// Contact batch updates, shared by the handoff's status writes and the outcome sync's write-back.
// HubSpot refuses a whole batch update with a 400 when one input is invalid (an option the portal
// lacks, a value too long), so one contact's refusal must not fail the others.

/**
 * Calls one batch of 100 may make when HubSpot refuses it with a 400: the batch is written again
 * in halves until the contacts at fault stand alone. One contact at fault in 100 costs 15 calls;
 * past this budget the parts still refused fail whole.
 */
export const MAX_UPDATE_CALLS_PER_BATCH = 32;

export interface ContactUpdate {
  id: string;
  properties: Record<string, string>;
}

export interface ContactUpdateFailure {
  error: unknown;
  /** HubSpot refused (400) a call that carried this contact alone: its own values are at fault. */
  alone: boolean;
}

export interface ContactsUpdated {
  /** Contacts HubSpot answered as updated (a 207 leaves out those it does not have). */
  updated: Set<string>;
  /** Contacts whose update failed, and why. */
  failed: Map<string, ContactUpdateFailure>;
}

/**
 * Batch-updates contacts, 100 a call, `concurrency` calls at a time. A failed call fails its own
 * contacts only, and a 400 only the contacts HubSpot refuses (see MAX_UPDATE_CALLS_PER_BATCH).
 */
export async function updateContacts(
  hubspot: HubSpot,
  updates: ContactUpdate[],
  concurrency: number,
): Promise<ContactsUpdated> {
  const result: ContactsUpdated = { updated: new Set(), failed: new Map() };
  await runLimited(
    chunks(updates, HUBSPOT_BATCH_MAX).map((chunk) => () => updateInHalves(hubspot, chunk, result)),
    concurrency,
  );
  return result;
}

async function updateInHalves(
  hubspot: HubSpot,
  chunk: ContactUpdate[],
  result: ContactsUpdated,
): Promise<void> {
  let calls = 0;
  const write = async (part: ContactUpdate[]): Promise<void> => {
    calls++;
    try {
      const res = await withHubSpotRetry(() =>
        hubspot.crm.contacts.batchApi.update({ inputs: part }),
      );
      for (const r of res.results) result.updated.add(r.id);
    } catch (err) {
      const refused = (err as { code?: number }).code === 400;
      if (!refused || part.length === 1 || calls + 2 > MAX_UPDATE_CALLS_PER_BATCH) {
        const alone = refused && part.length === 1;
        for (const u of part) result.failed.set(u.id, { error: err, alone });
        return;
      }
      const half = Math.ceil(part.length / 2);
      await Promise.all([write(part.slice(0, half)), write(part.slice(half))]);
    }
  };
  await write(chunk);
}
