import type { MappingPreview } from "../../shared/contracts/admin";
import type { Mapping } from "../../shared/contracts/mapping";
import type { MappingVersion } from "../../shared/db/mappings";
import {
  EXTERNAL_ID_FIELD,
  type FieldLength,
  type LeadValue,
  type MappingInput,
  toLeadFields,
} from "../handoff/lead-mapping";

const EXAMPLES = 10;

/**
 * The Lead fields a proposed mapping would change: each contact's payload is built with the mapping
 * in force (from its MQL under the rules in force) and with the proposal (its MQL under the
 * proposed rules), as the handoff would build them, and compared field by field. Pure.
 */
export class MappingDiff {
  private contactsChanged = 0;
  private readonly byField = new Map<string, number>();
  private readonly examples: MappingPreview["examples"] = [];

  constructor(
    private readonly current: MappingVersion,
    private readonly proposal: Mapping,
    private readonly fieldLength?: FieldLength,
  ) {}

  add(before: MappingInput, after: MappingInput): void {
    const was = toLeadFields(this.current.mapping, before, this.fieldLength);
    const will = toLeadFields(this.proposal, after, this.fieldLength);
    let changed = false;
    for (const field of fieldsOf(was, will)) {
      // A field the proposal no longer maps is no longer written: its value after is null.
      const [a, b] = [was[field] ?? null, will[field] ?? null] as [LeadValue, LeadValue];
      if (a === b) continue;
      changed = true;
      this.byField.set(field, (this.byField.get(field) ?? 0) + 1);
      if (this.examples.length < EXAMPLES)
        this.examples.push({ contactId: before.contactId, field, before: a, after: b });
    }
    if (changed) this.contactsChanged++;
  }

  result(): MappingPreview {
    return {
      current: { version: this.current.version },
      contactsChanged: this.contactsChanged,
      fieldsChanged: [...this.byField]
        .map(([field, contacts]) => ({ field, contacts }))
        .sort((x, y) => y.contacts - x.contacts || x.field.localeCompare(y.field)),
      examples: this.examples,
    };
  }
}

/** Both payloads' fields, in the proposal's order then the ones it dropped; never the external id. */
function fieldsOf(was: Record<string, LeadValue>, will: Record<string, LeadValue>): string[] {
  return [...new Set([...Object.keys(will), ...Object.keys(was)])].filter(
    (f) => f !== EXTERNAL_ID_FIELD,
  );
}
