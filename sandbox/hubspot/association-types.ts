import type { ObjectType } from "./schema";

// HubSpot-defined association types between the object types the sandbox serves.
export interface AssociationType {
  from: ObjectType;
  to: ObjectType;
  typeId: number;
  /** The v3 `associations.<type>.results[].type` name. */
  name: string;
  label: string | null;
  /** The id of the same association seen from the other side. */
  inverse: number;
  /** The unlabeled type `PUT .../associations/default/...` creates. */
  isDefault: boolean;
}

const TYPES: AssociationType[] = [
  {
    from: "contacts",
    to: "companies",
    typeId: 279,
    name: "contact_to_company_unlabeled",
    label: null,
    inverse: 280,
    isDefault: true,
  },
  {
    from: "companies",
    to: "contacts",
    typeId: 280,
    name: "company_to_contact_unlabeled",
    label: null,
    inverse: 279,
    isDefault: true,
  },
  {
    from: "contacts",
    to: "companies",
    typeId: 1,
    name: "contact_to_company",
    label: "Primary",
    inverse: 2,
    isDefault: false,
  },
  {
    from: "companies",
    to: "contacts",
    typeId: 2,
    name: "company_to_contact",
    label: "Primary",
    inverse: 1,
    isDefault: false,
  },
  {
    from: "notes",
    to: "contacts",
    typeId: 202,
    name: "note_to_contact",
    label: null,
    inverse: 201,
    isDefault: true,
  },
  {
    from: "contacts",
    to: "notes",
    typeId: 201,
    name: "contact_to_note",
    label: null,
    inverse: 202,
    isDefault: true,
  },
  {
    from: "notes",
    to: "companies",
    typeId: 190,
    name: "note_to_company",
    label: null,
    inverse: 189,
    isDefault: true,
  },
  {
    from: "companies",
    to: "notes",
    typeId: 189,
    name: "company_to_note",
    label: null,
    inverse: 190,
    isDefault: true,
  },
];

export function associationType(
  from: ObjectType,
  to: ObjectType,
  typeId: number,
): AssociationType | undefined {
  return TYPES.find((t) => t.from === from && t.to === to && t.typeId === typeId);
}

export function defaultAssociationType(
  from: ObjectType,
  to: ObjectType,
): AssociationType | undefined {
  return TYPES.find((t) => t.from === from && t.to === to && t.isDefault);
}

export function associationTypeById(typeId: number): AssociationType | undefined {
  return TYPES.find((t) => t.typeId === typeId);
}
