import { SalesforceError } from "./errors";
import { normalizeId } from "./ids";
import { CONVERTED_LEAD_STATUSES } from "./schema";
import { type SfValue, type Store, sfDate } from "./store";

// Lead conversion. Salesforce converts through SOAP's convertLead; the sandbox exposes the same
// effect on its control surface so tests and demos can move a lead into the pipeline.

export interface ConvertOptions {
  convertedStatus?: string;
  accountId?: string;
  contactId?: string;
  ownerId?: string;
  opportunityName?: string;
  doNotCreateOpportunity?: boolean;
  /** When the conversion happened (dated history); now by default. */
  at?: number;
}

export interface LeadConvertResult {
  leadId: string;
  accountId: string;
  contactId: string;
  opportunityId: string | null;
  success: true;
  errors: [];
}

const DAY = 86_400_000;

export function convertLead(
  store: Store,
  rawId: string,
  opts: ConvertOptions = {},
): LeadConvertResult {
  const id = normalizeId(rawId);
  const lead = id ? store.get("Lead", id) : undefined;
  if (!id || !lead || lead.IsDeleted === true) {
    throw new SalesforceError(404, "NOT_FOUND", "The requested resource does not exist");
  }
  if (lead.IsConverted === true) {
    throw new SalesforceError(400, "CONVERTED_LEAD", "This lead was already converted", []);
  }
  const status = opts.convertedStatus ?? "Closed - Converted";
  if (!CONVERTED_LEAD_STATUSES.has(status)) {
    throw new SalesforceError(400, "INVALID_STATUS", `invalid convertedStatus: ${status}`, []);
  }
  const field = (name: string): SfValue => lead[name] ?? null;
  const at = opts.at ?? Date.now();
  const meta = { at };
  const ownerId = opts.ownerId ?? (lead.OwnerId as string | null) ?? store.integrationUserId;
  const accountId =
    opts.accountId ??
    (store.insert(
      "Account",
      {
        Name: field("Company"),
        Industry: field("Industry"),
        NumberOfEmployees: field("NumberOfEmployees"),
        OwnerId: ownerId,
      },
      meta,
    ).Id as string);
  const contactId =
    opts.contactId ??
    (store.insert(
      "Contact",
      {
        FirstName: field("FirstName"),
        LastName: field("LastName"),
        Email: field("Email"),
        Title: field("Title"),
        Phone: field("Phone"),
        AccountId: accountId,
        LeadSource: field("LeadSource"),
        OwnerId: ownerId,
      },
      meta,
    ).Id as string);
  const opportunityId = opts.doNotCreateOpportunity
    ? null
    : (store.insert(
        "Opportunity",
        {
          Name: opts.opportunityName ?? `${String(field("Company"))}-`,
          AccountId: accountId,
          OwnerId: ownerId,
          StageName: "Prospecting",
          CloseDate: sfDate(at + 30 * DAY),
          LeadSource: field("LeadSource"),
        },
        meta,
      ).Id as string);
  store.patch(
    "Lead",
    id,
    {
      IsConverted: true,
      Status: status,
      ConvertedDate: sfDate(at),
      ConvertedAccountId: accountId,
      ConvertedContactId: contactId,
      ConvertedOpportunityId: opportunityId,
    },
    meta,
  );
  return { leadId: id, accountId, contactId, opportunityId, success: true, errors: [] };
}
