import type { Connection } from "jsforce";

// INTERFACE ONLY (issue 16, mapping): the map2 helper builds this. Do not merge to main as is.

/** A Lead field as Salesforce's describe tells it, trimmed to what a mapping check needs. */
export interface DescribedField {
  name: string;
  label: string;
  /** Salesforce's field type: string, textarea, email, phone, url, picklist, multipicklist, int, double, currency, percent, boolean, date, datetime, reference, id, … */
  type: string;
  length: number;
  createable: boolean;
  updateable: boolean;
  nillable: boolean;
  defaultedOnCreate: boolean;
  restrictedPicklist: boolean;
  /** Active picklist values. */
  picklistValues: string[];
}

export interface LeadDescribe {
  fields: DescribedField[];
}

/** The Lead describe, cached in KV for an hour (`salesforce:describe:Lead`). */
export async function leadDescribe(_conn: Connection, _kv: KVNamespace): Promise<LeadDescribe> {
  throw new Error("leadDescribe: not built yet");
}
