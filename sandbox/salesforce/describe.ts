import { CHILD_RELATIONSHIPS, type FieldDef, OBJECTS, type ObjectDef } from "./schema";

// describe and describeGlobal, trimmed to the members clients read but shaped like Salesforce's.

function urls(def: ObjectDef, version: string): Record<string, string> {
  const base = `/services/data/${version}/sobjects/${def.name}`;
  return { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` };
}

export function objectSummary(def: ObjectDef, version: string): Record<string, unknown> {
  return {
    activateable: false,
    createable: def.createable,
    custom: def.name.endsWith("__c"),
    customSetting: false,
    deletable: def.deletable,
    deprecatedAndHidden: false,
    feedEnabled: false,
    keyPrefix: def.keyPrefix,
    label: def.label,
    labelPlural: def.labelPlural,
    layoutable: def.createable,
    mergeable: def.name === "Lead" || def.name === "Contact" || def.name === "Account",
    mruEnabled: def.createable,
    name: def.name,
    queryable: true,
    replicateable: true,
    retrieveable: true,
    searchable: def.createable,
    triggerable: def.createable,
    undeletable: def.deletable,
    updateable: def.updateable,
    urls: urls(def, version),
  };
}

function describeField(f: FieldDef): Record<string, unknown> {
  const text = ["string", "email", "url", "textarea", "picklist", "id", "reference"].includes(
    f.type,
  );
  return {
    name: f.name,
    label: f.label,
    type: f.type,
    soapType: soapType(f),
    length: text ? f.length : 0,
    byteLength: text ? f.length * 3 : 0,
    precision: ["double", "currency", "percent"].includes(f.type) ? 18 : 0,
    scale: ["currency", "percent", "double"].includes(f.type) ? 2 : 0,
    digits: f.type === "int" ? 8 : 0,
    nillable: !f.required && f.type !== "boolean" && f.name !== "Id",
    createable: f.createable,
    updateable: f.updateable,
    defaultedOnCreate: f.defaultValue !== undefined || !f.createable || f.name === "OwnerId",
    // A picklist's default is marked on its value, not on the field.
    defaultValue: f.type === "picklist" ? null : (f.defaultValue ?? null),
    externalId: f.externalId,
    unique: f.unique,
    idLookup: f.name === "Id" || f.externalId,
    caseSensitive: false,
    custom: f.name.endsWith("__c"),
    calculated: false,
    filterable: f.type !== "textarea",
    sortable: f.type !== "textarea",
    groupable: !["textarea", "double", "currency", "percent", "datetime"].includes(f.type),
    nameField: f.name === "Name",
    referenceTo: f.polymorphicTo ?? (f.referenceTo ? [f.referenceTo] : []),
    relationshipName: f.relationshipName ?? null,
    restrictedPicklist: f.restrictedPicklist ?? false,
    picklistValues: (f.picklistValues ?? []).map((value) => ({
      active: true,
      defaultValue: value === f.defaultValue,
      label: value,
      validFor: null,
      value,
    })),
  };
}

function soapType(f: FieldDef): string {
  switch (f.type) {
    case "id":
    case "reference":
      return "tns:ID";
    case "boolean":
      return "xsd:boolean";
    case "int":
      return "xsd:int";
    case "double":
    case "currency":
    case "percent":
      return "xsd:double";
    case "date":
      return "xsd:date";
    case "datetime":
      return "xsd:dateTime";
    default:
      return "xsd:string";
  }
}

export function describeObject(def: ObjectDef, version: string): Record<string, unknown> {
  const named = CHILD_RELATIONSHIPS[def.name] ?? [];
  const childRelationships = OBJECTS.flatMap((child) =>
    child.fields
      .filter((f) => (f.polymorphicTo ?? [f.referenceTo]).includes(def.name) && f.createable)
      .map((f) => ({
        childSObject: child.name,
        field: f.name,
        relationshipName:
          named.find((r) => r.child === child.name && r.field === f.name)?.name ?? null,
        cascadeDelete: false,
      })),
  );
  return {
    ...objectSummary(def, version),
    childRelationships,
    fields: def.fields.map(describeField),
    recordTypeInfos: [],
    supportedScopes: [{ label: "All", name: "everything" }],
  };
}

export function describeGlobal(version: string): Record<string, unknown> {
  return {
    encoding: "UTF-8",
    maxBatchSize: 200,
    sobjects: OBJECTS.map((o) => objectSummary(o, version)),
  };
}
