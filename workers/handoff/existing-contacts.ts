import type { Connection } from "jsforce";
import { z } from "zod";

/**
 * Bytes of a query's request URI (`/services/data/vXX.X/query?q=` and the encoded SOQL):
 * Salesforce answers 414 or 431 past 16,384 bytes of URI and headers together, and jsforce
 * always sends a query as a GET, so the rest of that room is left to the headers.
 */
export const QUERY_URI_MAX = 14_000;
const QUERY_PATH = "/services/data/v00.0/query?q=";

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

const quote = (email: string) => `'${email.replace(/[\\']/g, "\\$&")}'`;
const soqlFor = (quoted: string[]) =>
  `SELECT Id, Email, AccountId FROM Contact WHERE Email IN (${quoted.join(", ")})`;
const uriBytes = (soql: string) => QUERY_PATH.length + encodeURIComponent(soql).length;

/**
 * The SOQL statements that look these emails up among Contacts: one while its URI fits in
 * QUERY_URI_MAX (a few hundred emails), more only past that; emails lower-cased and deduplicated;
 * pure.
 */
export function contactQueries(emails: string[]): string[] {
  const unique = [...new Set(emails.map((e) => e.trim().toLowerCase()).filter(Boolean))];
  const statements: string[] = [];
  let current: string[] = [];
  for (const email of unique) {
    const next = [...current, quote(email)];
    if (current.length && uriBytes(soqlFor(next)) > QUERY_URI_MAX) {
      statements.push(soqlFor(current));
      current = [quote(email)];
    } else current = next;
  }
  if (current.length) statements.push(soqlFor(current));
  return statements;
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
