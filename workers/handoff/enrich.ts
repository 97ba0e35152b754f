import { chunks, runLimited } from "../../shared/batching";
import type { HubSpot } from "../../shared/hubspot/apis";
import { HUBSPOT_BATCH_MAX } from "../../shared/hubspot/notes";
import { withHubSpotRetry } from "../../shared/hubspot/retry";
import { COMPANY_PROPERTIES, CONTACT_PROPERTIES, type Properties } from "./mql";

export interface Enriched {
  contacts: Map<string, Properties>;
  companyOf: Map<string, Properties>;
  /** Each contact's primary company's id. */
  companyIdOf: Map<string, string>;
  /** Contacts HubSpot no longer has (deleted or merged away). */
  missing: Set<string>;
}

/**
 * Batch reads in flight at once: a 1,000-contact pass reads its contacts and their associations in
 * one round trip (20 calls, a tenth of HubSpot's 190 per 10 s; 429s are waited out).
 */
export const READ_CONCURRENCY = 20;

/**
 * Contacts, their company associations and those companies: three batch reads per 100 contacts, a
 * few at once. `onContacts` hears the contacts as soon as they are read, before the companies are.
 * A contact in `carried` (properties a backfill's search already returned) is not read again when
 * they hold every property asked for; its associations and company still are, the company unless
 * this isolate read it with the same properties within `reuseCompaniesMs`.
 */
export async function enrichContacts(
  hubspot: HubSpot,
  contactIds: string[],
  onContacts?: (contacts: Map<string, Properties>) => void,
  extra: PropertyNames = { contact: [], company: [] },
  carried: ReadonlyMap<string, Properties> = new Map(),
  reuseCompaniesMs = 0,
): Promise<Enriched> {
  const contactProperties = [...new Set([...CONTACT_PROPERTIES, ...extra.contact])];
  const companyProperties = [...new Set([...COMPANY_PROPERTIES, ...extra.company])];
  const contacts = new Map<string, Properties>();
  const companyIdOf = new Map<string, string>();
  const toRead: string[] = [];
  for (const id of contactIds) {
    const known = carried.get(id);
    if (known && contactProperties.every((p) => p in known)) contacts.set(id, { ...known });
    else toRead.push(id);
  }
  const readContacts = (ids: string[]) => () =>
    withHubSpotRetry(() =>
      hubspot.crm.contacts.batchApi.read({
        inputs: ids.map((id) => ({ id })),
        properties: contactProperties,
        propertiesWithHistory: [],
      }),
    ).then((page) => {
      for (const r of page.results) if (!r.archived) contacts.set(r.id, r.properties);
    });
  const readAssociations = (ids: string[]) => () =>
    withHubSpotRetry(() =>
      hubspot.crm.associations.v4.batchApi.getPage("contacts", "companies", {
        inputs: ids.map((id) => ({ id })),
      }),
    ).then((page) => {
      for (const r of page.results) {
        // typeId 1 marks the primary company; otherwise the first association stands in.
        const primary = r.to.find((t) => t.associationTypes.some((a) => a.typeId === 1)) ?? r.to[0];
        if (primary) companyIdOf.set(r._from.id, String(primary.toObjectId));
      }
    });
  // Contacts and their associations do not depend on each other: read them side by side.
  const contactReads = chunks(toRead, HUBSPOT_BATCH_MAX).map(readContacts);
  const associationReads = chunks(contactIds, HUBSPOT_BATCH_MAX).map(readAssociations);
  const reads = associationReads.flatMap((read, i) =>
    contactReads[i] ? [contactReads[i], read] : [read],
  );
  await runLimited(reads, READ_CONCURRENCY);
  onContacts?.(contacts);
  const missing = new Set(contactIds.filter((id) => !contacts.has(id)));
  for (const id of missing) companyIdOf.delete(id);

  const companies = new Map<string, Properties>();
  const asked = companyProperties.join(",");
  const companiesToRead: string[] = [];
  for (const id of new Set(companyIdOf.values())) {
    const recent = reuseCompaniesMs ? recentCompanies.get(id) : undefined;
    if (recent && recent.asked === asked && Date.now() - recent.at <= reuseCompaniesMs)
      companies.set(id, { ...recent.properties });
    else companiesToRead.push(id);
  }
  await runLimited(
    chunks(companiesToRead, HUBSPOT_BATCH_MAX).map((ids) => async () => {
      const at = Date.now();
      const page = await withHubSpotRetry(() =>
        hubspot.crm.companies.batchApi.read({
          inputs: ids.map((id) => ({ id })),
          properties: companyProperties,
          propertiesWithHistory: [],
        }),
      );
      for (const r of page.results) {
        companies.set(r.id, r.properties);
        rememberCompany(r.id, { asked, at, properties: { ...r.properties } });
      }
    }),
    READ_CONCURRENCY,
  );

  const companyOf = new Map<string, Properties>();
  for (const [contactId, companyId] of companyIdOf) {
    const company = companies.get(companyId);
    if (company) companyOf.set(contactId, company);
  }
  return { contacts, companyOf, companyIdOf, missing };
}

/**
 * Companies this isolate read lately, for the backfill lane (enrichContacts' `reuseCompaniesMs`):
 * when, with which properties, and what HubSpot answered. Bounded: cleared when it grows past
 * RECENT_COMPANIES_MAX.
 */
const recentCompanies = new Map<string, { asked: string; at: number; properties: Properties }>();
const RECENT_COMPANIES_MAX = 10_000;

function rememberCompany(
  id: string,
  entry: { asked: string; at: number; properties: Properties },
): void {
  if (recentCompanies.size >= RECENT_COMPANIES_MAX) recentCompanies.clear();
  recentCompanies.set(id, entry);
}

/** HubSpot property names, of contacts and of companies. */
export interface PropertyNames {
  contact: string[];
  company: string[];
}

/**
 * Reads more properties of contacts and companies already enriched (the properties a new rules
 * version reads, the first time a batch meets it) and adds them in place.
 */
export async function readMoreProperties(
  hubspot: HubSpot,
  enriched: Enriched,
  more: PropertyNames,
): Promise<void> {
  const read = async (
    kind: "contacts" | "companies",
    ids: string[],
    properties: string[],
    into: (id: string, props: Properties) => void,
  ) => {
    if (!properties.length || !ids.length) return;
    await runLimited(
      chunks(ids, HUBSPOT_BATCH_MAX).map((batch) => async () => {
        const page = await withHubSpotRetry(() =>
          hubspot.crm[kind].batchApi.read({
            inputs: batch.map((id) => ({ id })),
            properties,
            propertiesWithHistory: [],
          }),
        );
        for (const r of page.results) into(r.id, r.properties);
      }),
      READ_CONCURRENCY,
    );
  };
  const contactsOf = new Map<string, string[]>();
  for (const [contactId, companyId] of enriched.companyIdOf)
    contactsOf.set(companyId, [...(contactsOf.get(companyId) ?? []), contactId]);
  await Promise.all([
    read("contacts", [...enriched.contacts.keys()], more.contact, (id, props) =>
      Object.assign(enriched.contacts.get(id) ?? {}, props),
    ),
    read("companies", [...contactsOf.keys()], more.company, (id, props) => {
      for (const contactId of contactsOf.get(id) ?? [])
        Object.assign(enriched.companyOf.get(contactId) ?? {}, props);
    }),
  ]);
}
