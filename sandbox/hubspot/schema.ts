// Built-in property schemas of the three object types the sandbox serves, shaped after HubSpot's;
// a portal's live schema (these plus custom properties) is a PropertySchema (property-schema.ts).
import { LIFECYCLE_ORDER } from "../../shared/contracts/sales";
import type { PropertyOption } from "../../shared/hubspot/properties";

export type ObjectType = "contacts" | "companies" | "notes";
export type PropertyType = "string" | "number" | "datetime" | "enumeration";

export interface PropertyDef {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: string;
  groupName: string;
  description?: string;
  options?: PropertyOption[];
  readOnly?: boolean;
  formField?: boolean;
  displayOrder?: number;
  maxLength?: number;
  hubspotDefined: boolean;
  /** Set on custom properties: when created and last changed through the properties API. */
  createdAt?: string;
  updatedAt?: string;
}

export interface ObjectTypeMeta {
  typeId: string;
  singular: string;
  createdProp: string;
  modifiedProp: string;
  defaults: string[];
  required: string[];
  /** Properties the free-text `query` of a search looks at. */
  searchable: string[];
}

export const OBJECT_TYPES: Record<ObjectType, ObjectTypeMeta> = {
  contacts: {
    typeId: "0-1",
    singular: "contact",
    createdProp: "createdate",
    modifiedProp: "lastmodifieddate",
    defaults: ["createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"],
    required: [],
    searchable: ["email", "firstname", "lastname", "phone", "company"],
  },
  companies: {
    typeId: "0-2",
    singular: "company",
    createdProp: "createdate",
    modifiedProp: "hs_lastmodifieddate",
    defaults: ["createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"],
    required: [],
    searchable: ["name", "domain", "phone", "website"],
  },
  notes: {
    typeId: "0-46",
    singular: "note",
    createdProp: "hs_createdate",
    modifiedProp: "hs_lastmodifieddate",
    defaults: ["hs_createdate", "hs_lastmodifieddate", "hs_object_id"],
    required: ["hs_timestamp"],
    searchable: ["hs_note_body"],
  },
};

const str = (
  name: string,
  label: string,
  groupName: string,
  extra: Partial<PropertyDef> = {},
): PropertyDef => ({
  name,
  label,
  type: "string",
  fieldType: "text",
  groupName,
  hubspotDefined: true,
  ...extra,
});
const num = (
  name: string,
  label: string,
  groupName: string,
  extra: Partial<PropertyDef> = {},
): PropertyDef => ({
  name,
  label,
  type: "number",
  fieldType: "number",
  groupName,
  hubspotDefined: true,
  ...extra,
});
const date = (
  name: string,
  label: string,
  groupName: string,
  extra: Partial<PropertyDef> = {},
): PropertyDef => ({
  name,
  label,
  type: "datetime",
  fieldType: "date",
  groupName,
  hubspotDefined: true,
  ...extra,
});
const pick = (name: string, label: string, groupName: string, options: string[]): PropertyDef => ({
  name,
  label,
  type: "enumeration",
  fieldType: "select",
  groupName,
  options: options.map((value, displayOrder) => ({
    label: value,
    value,
    displayOrder,
    hidden: false,
  })),
  hubspotDefined: true,
});

const LEAD_STATUSES = [
  "NEW",
  "OPEN",
  "IN_PROGRESS",
  "OPEN_DEAL",
  "UNQUALIFIED",
  "ATTEMPTED_TO_CONTACT",
  "CONNECTED",
  "BAD_TIMING",
];
const ANALYTICS_SOURCES = [
  "ORGANIC_SEARCH",
  "PAID_SEARCH",
  "EMAIL_MARKETING",
  "SOCIAL_MEDIA",
  "REFERRALS",
  "OTHER_CAMPAIGNS",
  "DIRECT_TRAFFIC",
  "OFFLINE",
  "PAID_SOCIAL",
  "AI_REFERRALS",
];

const CONTACT_PROPERTIES: PropertyDef[] = [
  str("email", "Email", "contactinformation", { fieldType: "text" }),
  str("firstname", "First Name", "contactinformation"),
  str("lastname", "Last Name", "contactinformation"),
  str("jobtitle", "Job Title", "contactinformation"),
  str("company", "Company Name", "contactinformation"),
  str("phone", "Phone Number", "contactinformation", { fieldType: "phonenumber" }),
  str("website", "Website URL", "contactinformation"),
  pick("lifecyclestage", "Lifecycle Stage", "contactinformation", [...LIFECYCLE_ORDER]),
  pick("hs_lead_status", "Lead Status", "sales_properties", LEAD_STATUSES),
  num("hubspotscore", "HubSpot Score", "contactinformation"),
  pick("hs_analytics_source", "Original Traffic Source", "analyticsinformation", ANALYTICS_SOURCES),
  num("hs_analytics_num_page_views", "Number of Pageviews", "analyticsinformation"),
  num("hs_analytics_num_visits", "Number of Sessions", "analyticsinformation"),
  num("hs_analytics_num_event_completions", "Number of event completions", "analyticsinformation"),
  str("hs_analytics_first_url", "First Page Seen", "analyticsinformation"),
  str("hs_analytics_last_url", "Last Page Seen", "analyticsinformation"),
  str("recent_conversion_event_name", "Recent Conversion", "conversioninformation"),
  num("num_conversion_events", "Number of Form Submissions", "conversioninformation"),
  str("hubspot_owner_id", "Contact owner", "sales_properties", { fieldType: "select" }),
  date("createdate", "Create Date", "contactinformation"),
  date("lastmodifieddate", "Last Modified Date", "contactinformation", { readOnly: true }),
  num("hs_object_id", "Record ID", "contactinformation", { readOnly: true }),
  str("hs_merged_object_ids", "Merged Contact IDs", "contactinformation", { readOnly: true }),
];

const COMPANY_PROPERTIES: PropertyDef[] = [
  str("name", "Company name", "companyinformation"),
  str("domain", "Company Domain Name", "companyinformation"),
  str("industry", "Industry", "companyinformation", { fieldType: "select" }),
  num("numberofemployees", "Number of Employees", "companyinformation"),
  num("annualrevenue", "Annual Revenue", "companyinformation"),
  str("city", "City", "companyinformation"),
  str("country", "Country/Region", "companyinformation"),
  str("phone", "Phone Number", "companyinformation", { fieldType: "phonenumber" }),
  str("website", "Website URL", "companyinformation"),
  date("createdate", "Create Date", "companyinformation"),
  date("hs_lastmodifieddate", "Last Modified Date", "companyinformation", { readOnly: true }),
  num("hs_object_id", "Record ID", "companyinformation", { readOnly: true }),
];

const NOTE_PROPERTIES: PropertyDef[] = [
  date("hs_timestamp", "Activity date", "engagement"),
  str("hs_note_body", "Note body", "engagement", { fieldType: "html", maxLength: 65_536 }),
  str("hubspot_owner_id", "Activity assigned to", "engagement", { fieldType: "select" }),
  str("hs_attachment_ids", "Attached file IDs", "engagement"),
  date("hs_createdate", "Create date", "engagement", { readOnly: true }),
  date("hs_lastmodifieddate", "Last modified date", "engagement", { readOnly: true }),
  num("hs_object_id", "Record ID", "engagement", { readOnly: true }),
];

export const BUILT_IN_PROPERTIES: Record<ObjectType, PropertyDef[]> = {
  contacts: CONTACT_PROPERTIES,
  companies: COMPANY_PROPERTIES,
  notes: NOTE_PROPERTIES,
};

/** Labels of the built-in property groups, by name. */
export const BUILT_IN_GROUP_LABELS: Record<string, string> = {
  contactinformation: "Contact information",
  sales_properties: "Sales properties",
  analyticsinformation: "Web analytics history",
  conversioninformation: "Conversion information",
  companyinformation: "Company information",
  engagement: "Engagement",
};

const ALIASES: Record<string, ObjectType> = {
  contacts: "contacts",
  contact: "contacts",
  "0-1": "contacts",
  companies: "companies",
  company: "companies",
  "0-2": "companies",
  notes: "notes",
  note: "notes",
  "0-46": "notes",
};

/** HubSpot accepts plural names, singular names and object type ids in paths. */
export function resolveObjectType(name: string): ObjectType | undefined {
  return ALIASES[name.toLowerCase()];
}
