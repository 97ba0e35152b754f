import type { LeadRow } from "../../shared/db/leads";
import type { ContactWork } from "./coalesce";
import type { StageRecord } from "./types";

/**
 * The batch as it arrives: every contact not purged is audited as received (with how it came,
 * and the events whose clock was not believed); HubSpot deletions are settled here (no judging),
 * privacy deletions are left to forgetContacts (privacy.ts); pure.
 */
export function receive(
  items: ContactWork[],
  previous: Map<string, LeadRow>,
  at: number,
): StageRecord {
  const kept = items.filter((w) => w.action !== "purge");
  const deleted = items.filter((w) => w.action === "delete");
  return {
    audits: [
      ...kept.flatMap((work) => [
        {
          contactId: work.contactId,
          step: "received" as const,
          detail: { events: work.keys.length, types: work.types, origin: work.origin },
          at,
        },
        ...(work.untrustedClocks.length
          ? [
              {
                contactId: work.contactId,
                step: "clock_untrusted" as const,
                detail: { events: work.untrustedClocks, usedInstead: "receivedAt" },
                at,
              },
            ]
          : []),
      ]),
      ...deleted.map((work) => ({
        contactId: work.contactId,
        step: "deleted_in_hubspot" as const,
        at,
      })),
    ],
    leads: deleted.flatMap((work) => {
      const row = previous.get(work.contactId);
      return row ? [{ ...row, status: "deleted" as const, updated_at: at }] : [];
    }),
    settled: deleted.map((work) => ({ work, status: "deleted" as const, at })),
  };
}
