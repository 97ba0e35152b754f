import { z } from "zod";
import { insertRows, sfTime } from "./sf-records";

// Salesforce's Feature_Request__c as the nightly pull selects it (the account's name and industry
// through the Account__r lookup), and its mirror row in D1 (docs/requirements.md).

export const FEATURE_REQUEST_FIELDS =
  "Id, Name, Account__c, Account__r.Name, Account__r.Industry, Opportunity__c, Pain__c, Expected_Solution__c, Business_Value__c, Urgency__c, CreatedDate, SystemModstamp";

const id = z.string().min(15).max(18);

export const FeatureRequestSchema = z.object({
  Id: id,
  Name: z.string(),
  Account__c: id,
  Account__r: z
    .object({ Name: z.string().nullable(), Industry: z.string().nullable().optional() })
    .nullable()
    .optional(),
  Opportunity__c: id.nullable(),
  Pain__c: z.string().nullable(),
  Expected_Solution__c: z.string().nullable(),
  Business_Value__c: z.number().nullable(),
  Urgency__c: z.string().nullable(),
  CreatedDate: z.string(),
  SystemModstamp: z.string(),
});
export type SfFeatureRequest = z.infer<typeof FeatureRequestSchema>;

export function upsertFeatureRequests(
  db: D1Database,
  rows: SfFeatureRequest[],
): D1PreparedStatement[] {
  return insertRows(
    db,
    (select) =>
      `INSERT INTO feature_requests (id, name, account_id, account_name, industry, opportunity_id, pain, expected_solution, business_value, urgency, created_at, modstamp)
       ${select}
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, account_id = excluded.account_id,
         account_name = excluded.account_name, industry = excluded.industry,
         opportunity_id = excluded.opportunity_id, pain = excluded.pain,
         expected_solution = excluded.expected_solution, business_value = excluded.business_value,
         urgency = excluded.urgency, modstamp = excluded.modstamp`,
    rows.map((r) => [
      r.Id,
      r.Name,
      r.Account__c,
      r.Account__r?.Name ?? null,
      r.Account__r?.Industry ?? null,
      r.Opportunity__c,
      r.Pain__c,
      r.Expected_Solution__c,
      r.Business_Value__c,
      r.Urgency__c,
      sfTime(r.CreatedDate),
      r.SystemModstamp,
    ]),
  );
}
