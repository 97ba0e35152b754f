import type { Connection } from "jsforce";
import { z } from "zod";
import { FREE_EMAIL_DOMAINS } from "../../shared/contracts/rules";
import { packQueries, soqlString } from "../../shared/salesforce/soql-in";
import { isFreeEmailDomain } from "./qualify";
import type { AccountOwner } from "./routing-plan";

// Lead-to-account for routing (docs/routing-assignment.md): a new Lead whose email domain is an
// existing Account's website goes to that Account's owner. One query per batch for every domain.

const HEAD = "SELECT Id, Website, OwnerId, Owner.IsActive FROM Account WHERE";

const AccountSchema = z.object({
  Id: z.string(),
  Website: z.string().nullable(),
  OwnerId: z.string().nullable(),
  Owner: z.object({ IsActive: z.boolean().nullable().optional() }).nullable().optional(),
});

/**
 * A website as a bare host: no scheme, credentials, port, path, `www.` or trailing dot, lower
 * case (`https://WWW.Acme.com/about` → `acme.com`); undefined when nothing is left; pure.
 */
export function normaliseWebsite(website: string): string | undefined {
  let host = website.trim().toLowerCase();
  host = host.replace(/^[a-z][a-z0-9+.-]*:\/\//, "");
  host = host.split(/[/?#]/, 1)[0] ?? "";
  host = host
    .replace(/^[^@]*@/, "")
    .replace(/:\d*$/, "")
    .replace(/\.$/, "");
  host = host.replace(/^www\./, "");
  return host || undefined;
}

/**
 * The domains worth asking about (free-mail ones never name a company's Account), each as a
 * `Website LIKE '%domain%'` clause, OR-ed into as few statements as fit QUERY_URI_MAX: one for a
 * batch's few hundred domains. LIKE over-matches (acme.com is in notacme.com): the answer is
 * matched exactly in code; pure.
 */
export function accountQueries(domains: string[]): string[] {
  const wanted = [...new Set(domains.map((d) => d.toLowerCase()))].filter(
    (d) => d && !isFreeEmailDomain(d, FREE_EMAIL_DOMAINS),
  );
  return packQueries(
    wanted.map((domain) => `Website LIKE ${soqlString(`%${domain}%`)}`),
    " OR ",
    (clauses) => `${HEAD} ${clauses}`,
  );
}

/**
 * The Accounts whose normalised website is one of these domains, by domain. Several Accounts with
 * one website: the lowest Id, so the choice is stable. A failed call throws: the caller decides
 * what waits.
 */
export async function findAccountOwners(
  conn: Connection,
  domains: string[],
): Promise<Map<string, AccountOwner>> {
  const wanted = new Set(domains.map((d) => d.toLowerCase()));
  const found = new Map<string, AccountOwner>();
  const read = async (soql: string) => {
    let page = await conn.query<Record<string, unknown>>(soql);
    for (;;) {
      for (const record of page.records) {
        const account = AccountSchema.safeParse(record);
        if (!account.success || !account.data.Website || !account.data.OwnerId) continue;
        const domain = normaliseWebsite(account.data.Website);
        if (!domain || !wanted.has(domain)) continue;
        const known = found.get(domain);
        if (known && known.accountId <= account.data.Id) continue;
        found.set(domain, {
          accountId: account.data.Id,
          ownerId: account.data.OwnerId,
          ownerActive: account.data.Owner?.IsActive === true,
        });
      }
      if (page.done || !page.nextRecordsUrl) break;
      page = await conn.queryMore<Record<string, unknown>>(page.nextRecordsUrl);
    }
  };
  await Promise.all(accountQueries(domains).map(read));
  return found;
}
