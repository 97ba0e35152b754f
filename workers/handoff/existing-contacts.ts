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
 * Id, so the choice is stable whatever order the queries answer in. The queries of a long list go
 * out side by side: a 1,000-contact pass needs 3 or 4, and in a row they were most of its push's
 * time. A failed call throws: the caller decides what waits.
 */
export async function findExistingContacts(
  conn: Connection,
  emails: string[],
): Promise<Map<string, ExistingContact>> {
  const found = new Map<string, ExistingContact>();
  const read = async (soql: string) => {
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
  };
  await Promise.all(contactQueries(emails).map(read));
  return found;
}

/**
 * A batch's Contact lookups by email. The handoff starts them as soon as HubSpot has answered with
 * the contacts (for those with no Lead yet), beside the company reads, so the push finds them
 * answered instead of waiting a Salesforce round trip before its upsert; the push asks for the
 * emails it needs and only those not looked up yet are queried then. An email is queried once.
 */
export class ContactLookup {
  private readonly lookups = new Map<string, Promise<Map<string, ExistingContact>>>();

  constructor(private readonly connect: () => Promise<Connection>) {}

  /** Starts looking these emails up; a failure waits for find to report it. */
  start(emails: string[]): void {
    const toAsk = [...new Set(emails.map(normalEmail).filter(Boolean))].filter(
      (e) => !this.lookups.has(e),
    );
    if (!toAsk.length) return;
    const lookup = this.connect().then((conn) => findExistingContacts(conn, toAsk));
    lookup.catch(() => {});
    for (const email of toAsk) this.lookups.set(email, lookup);
  }

  /** The Contacts these emails belong to (lower-cased keys); throws if a lookup they need failed. */
  async find(emails: string[]): Promise<Map<string, ExistingContact>> {
    this.start(emails);
    const wanted = new Set(emails.map(normalEmail).filter(Boolean));
    const found = new Map<string, ExistingContact>();
    const answers = await Promise.all(new Set([...wanted].map((e) => this.lookups.get(e)!)));
    for (const answer of answers)
      for (const [email, contact] of answer) if (wanted.has(email)) found.set(email, contact);
    return found;
  }
}

function normalEmail(email: string): string {
  return email.trim().toLowerCase();
}
