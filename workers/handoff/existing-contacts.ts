import type { Connection } from "jsforce";
import { z } from "zod";
import { inQueries } from "../../shared/salesforce/soql-in";

export { QUERY_URI_MAX } from "../../shared/salesforce/soql-in";

/** A Salesforce Contact a lead's email already belongs to. */
export interface ExistingContact {
  contactId: string;
  accountId: string | null;
}

const ContactSchema = z.object({
  Id: z.string(),
  Email: z.string().nullable(),
  AccountId: z.string().nullable().optional(),
});

/**
 * The SOQL statements that look these emails up among Contacts: one while its URI fits in
 * QUERY_URI_MAX (a few hundred emails), more only past that; emails lower-cased and deduplicated;
 * pure.
 */
export function contactQueries(emails: string[]): string[] {
  const unique = emails.map((e) => e.trim().toLowerCase()).filter(Boolean);
  return inQueries("SELECT Id, Email, AccountId FROM Contact WHERE Email IN", unique);
}

/**
 * The Salesforce Contacts these emails belong to, by lower-cased email (SOQL compares text
 * without case, so the answer is read the same way). Several Contacts with one email: the lowest
 * Id, so the choice is stable. A failed call throws: the caller decides what waits.
 */
export async function findExistingContacts(
  conn: Connection,
  emails: string[],
): Promise<Map<string, ExistingContact>> {
  const found = new Map<string, ExistingContact>();
  for (const soql of contactQueries(emails)) {
    let page = await conn.query<Record<string, unknown>>(soql);
    for (;;) {
      for (const record of page.records) {
        const contact = ContactSchema.safeParse(record);
        if (!contact.success || !contact.data.Email) continue;
        const email = contact.data.Email.toLowerCase();
        const known = found.get(email);
        if (known && known.contactId <= contact.data.Id) continue;
        found.set(email, { contactId: contact.data.Id, accountId: contact.data.AccountId ?? null });
      }
      if (page.done || !page.nextRecordsUrl) break;
      page = await conn.queryMore<Record<string, unknown>>(page.nextRecordsUrl);
    }
  }
  return found;
}
