import { SalesforceError } from "./errors";
import type { FieldDef, ObjectDef } from "./schema";
import type { SfRecord, Store } from "./store";

// The org's matching and duplicate rules: unique external ids, and an alert-level duplicate
// rule on Lead Email that callers may save past with
// `Sforce-Duplicate-Rule-Header: allowSave=true`.

export const DUPLICATE_RULE = "Leadbridge_Lead_Email";
const MATCHING_RULE = "Leadbridge_Lead_Email_Match";
const DUPLICATE_MESSAGE =
  "You're creating a duplicate record. We recommend you use an existing record instead.";

const sameText = (a: unknown, b: unknown) =>
  typeof a === "string" && typeof b === "string" && a.toLowerCase() === b.toLowerCase();

/** Live records whose external id equals `value`; external ids match case-insensitively. */
export function matchExternalId(
  store: Store,
  def: ObjectDef,
  field: FieldDef,
  value: string,
): SfRecord[] {
  if (store.isIndexed(def.name, field.name)) return store.findBy(def.name, field.name, value);
  return store.list(def.name).filter((r) => sameText(r[field.name], value));
}

/** DUPLICATE_VALUE when a unique field's value is already on another record. */
export function checkUnique(store: Store, def: ObjectDef, record: SfRecord): void {
  for (const field of def.fields) {
    const value = record[field.name];
    if (!field.unique || typeof value !== "string") continue;
    const other = matchExternalId(store, def, field, value).find((r) => r.Id !== record.Id);
    if (other) {
      throw new SalesforceError(
        400,
        "DUPLICATE_VALUE",
        `duplicate value found: ${field.name} duplicates value on record with id: ${String(other.Id)}`,
        [],
      );
    }
  }
}

/** DUPLICATES_DETECTED with the duplicateResult Salesforce attaches, when the rule fires. */
export function checkLeadDuplicates(
  store: Store,
  record: SfRecord,
  version: string,
  allowSave: boolean,
): void {
  if (allowSave || typeof record.Email !== "string") return;
  const matches = store
    .findBy("Lead", "Email", record.Email)
    .filter((r) => r.Id !== record.Id && r.IsConverted !== true);
  if (matches.length === 0) return;
  const duplicateResult = {
    allowSave: true,
    duplicateRule: DUPLICATE_RULE,
    duplicateRuleEntityType: "Lead",
    errorMessage: DUPLICATE_MESSAGE,
    matchResults: [
      {
        entityType: "Lead",
        errors: [],
        matchEngine: "ExactMatchEngine",
        matchRecords: matches.map((m) => ({
          additionalInformation: [],
          fieldDiffs: [],
          matchConfidence: 100.0,
          record: {
            attributes: {
              type: "Lead",
              url: `/services/data/${version}/sobjects/Lead/${String(m.Id)}`,
            },
            Id: m.Id,
          },
        })),
        rule: MATCHING_RULE,
        size: matches.length,
        success: true,
      },
    ],
  };
  throw new SalesforceError(400, "DUPLICATES_DETECTED", DUPLICATE_MESSAGE, undefined, {
    duplicateResult,
  });
}
