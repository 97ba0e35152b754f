import type { Mapping } from "../../shared/contracts/mapping";
import type { LeadDescribe } from "../../shared/salesforce/describe";

// INTERFACE ONLY (issue 16, mapping): the map2 helper builds this. Do not merge to main as is.

/** One problem of one mapped field, for the 400 that names each field. */
export interface FieldProblem {
  /** The index in mapping.fields, or null for a problem of the whole mapping (a required field not covered). */
  index: number | null;
  field: string;
  problem: string;
}

/** What is wrong with a mapping against the Lead's describe; empty when it can be saved. Pure. */
export function checkMapping(_mapping: Mapping, _describe: LeadDescribe): FieldProblem[] {
  return [];
}
