// The sObjects the sandbox knows, with the field metadata that describe, validation and SOQL share.

export type FieldType =
  | "id"
  | "string"
  | "email"
  | "url"
  | "textarea"
  | "picklist"
  | "reference"
  | "boolean"
  | "double"
  | "int"
  | "currency"
  | "percent"
  | "date"
  | "datetime";

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  length: number;
  required: boolean;
  createable: boolean;
  updateable: boolean;
  externalId: boolean;
  unique: boolean;
  defaultValue?: string | number | boolean;
  referenceTo?: string;
  /** A polymorphic lookup's objects (Task.WhoId: Lead or Contact); referenceTo is the first. */
  polymorphicTo?: string[];
  relationshipName?: string;
  picklistValues?: string[];
  restrictedPicklist?: boolean;
}

export interface ObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  fields: FieldDef[];
  /** lower-cased field name → field; Salesforce field names are case-insensitive. */
  byName: Map<string, FieldDef>;
  /** lower-cased relationship name → reference field. */
  byRelationship: Map<string, FieldDef>;
}

type Opts = Partial<Omit<FieldDef, "name" | "label" | "type">>;

const TEXT_LENGTH: Partial<Record<FieldType, number>> = {
  id: 18,
  reference: 18,
  picklist: 255,
  email: 80,
  url: 255,
};

function field(name: string, label: string, type: FieldType, opts: Opts = {}): FieldDef {
  return {
    name,
    label,
    type,
    length: opts.length ?? TEXT_LENGTH[type] ?? 0,
    required: false,
    createable: true,
    updateable: true,
    externalId: false,
    unique: false,
    ...opts,
  };
}

const readOnly: Opts = { createable: false, updateable: false };
const text = (name: string, label: string, length: number, opts: Opts = {}) =>
  field(name, label, "string", { length, ...opts });
const picklist = (name: string, label: string, values: string[], opts: Opts = {}) =>
  field(name, label, "picklist", { length: 40, picklistValues: values, ...opts });
const lookup = (name: string, label: string, to: string, rel: string, opts: Opts = {}) =>
  field(name, label, "reference", { referenceTo: to, relationshipName: rel, ...opts });

function system(hasModified = true): FieldDef[] {
  const fields = [
    field("Id", "Record ID", "id", readOnly),
    field("IsDeleted", "Deleted", "boolean", readOnly),
    field("CreatedDate", "Created Date", "datetime", readOnly),
    lookup("CreatedById", "Created By ID", "User", "CreatedBy", readOnly),
  ];
  if (hasModified) {
    fields.push(
      field("LastModifiedDate", "Last Modified Date", "datetime", readOnly),
      lookup("LastModifiedById", "Last Modified By ID", "User", "LastModifiedBy", readOnly),
    );
  }
  fields.push(field("SystemModstamp", "System Modstamp", "datetime", readOnly));
  return fields;
}

const owner = () => lookup("OwnerId", "Owner ID", "User", "Owner");
const leadSources = [
  "Web",
  "Phone Inquiry",
  "Partner Referral",
  "Purchased List",
  "Other",
  "HubSpot",
];
const industries = [
  "Agriculture",
  "Banking",
  "Education",
  "Finance",
  "Healthcare",
  "Manufacturing",
  "Retail",
  "Technology",
];

/**
 * Salesforce's default Lead Status picklist (a restricted standard picklist; only
 * `Closed - Converted` is a converted status).
 */
export const LEAD_STATUSES = [
  "Open - Not Contacted",
  "Working - Contacted",
  "Closed - Converted",
  "Closed - Not Converted",
];
export const CONVERTED_LEAD_STATUSES = new Set(["Closed - Converted"]);

/**
 * The custom Lead field the deploy docs tell admins to add: a picklist left unrestricted, so an
 * org can add its own reasons and sales can still save a value the org has not listed.
 */
export const DISQUALIFICATION_REASONS = [
  "No budget",
  "No authority",
  "Not a fit",
  "Timing",
  "Competitor",
  "Unresponsive",
];

/** The custom Lead field `Region__c`: a restricted picklist, so any other value is refused. */
export const REGIONS = ["EMEA", "AMER", "APAC"];

export const DEFAULT_STAGES = [
  { name: "Prospecting", probability: 10, closed: false, won: false, forecast: "Pipeline" },
  { name: "Qualification", probability: 10, closed: false, won: false, forecast: "Pipeline" },
  { name: "Needs Analysis", probability: 20, closed: false, won: false, forecast: "Pipeline" },
  { name: "Value Proposition", probability: 50, closed: false, won: false, forecast: "Pipeline" },
  { name: "Id. Decision Makers", probability: 60, closed: false, won: false, forecast: "Pipeline" },
  { name: "Perception Analysis", probability: 70, closed: false, won: false, forecast: "Pipeline" },
  {
    name: "Proposal/Price Quote",
    probability: 75,
    closed: false,
    won: false,
    forecast: "Pipeline",
  },
  { name: "Negotiation/Review", probability: 90, closed: false, won: false, forecast: "Commit" },
  { name: "Closed Won", probability: 100, closed: true, won: true, forecast: "Closed" },
  { name: "Closed Lost", probability: 0, closed: true, won: false, forecast: "Omitted" },
];

function object(
  name: string,
  label: string,
  labelPlural: string,
  keyPrefix: string,
  fields: FieldDef[],
  writable = true,
): ObjectDef {
  const byName = new Map(fields.map((f) => [f.name.toLowerCase(), f]));
  const byRelationship = new Map(
    fields.filter((f) => f.relationshipName).map((f) => [f.relationshipName!.toLowerCase(), f]),
  );
  return {
    name,
    label,
    labelPlural,
    keyPrefix,
    createable: writable,
    updateable: writable,
    deletable: writable,
    fields,
    byName,
    byRelationship,
  };
}

const lead = object("Lead", "Lead", "Leads", "00Q", [
  ...system(),
  text("FirstName", "First Name", 40),
  text("LastName", "Last Name", 80, { required: true }),
  text("Name", "Full Name", 121, readOnly),
  field("Email", "Email", "email", { length: 80 }),
  text("Phone", "Phone", 40),
  text("Company", "Company", 255, { required: true }),
  text("Title", "Title", 128),
  picklist("Industry", "Industry", industries),
  field("NumberOfEmployees", "Employees", "int"),
  picklist("LeadSource", "Lead Source", leadSources),
  picklist("Status", "Status", LEAD_STATUSES, {
    required: true,
    restrictedPicklist: true,
    defaultValue: "Open - Not Contacted",
  }),
  field("Description", "Description", "textarea", { length: 32000 }),
  picklist("Rating", "Rating", ["Hot", "Warm", "Cold"]),
  owner(),
  field("IsConverted", "Converted", "boolean", { ...readOnly, defaultValue: false }),
  field("ConvertedDate", "Converted Date", "date", readOnly),
  lookup("ConvertedAccountId", "Converted Account ID", "Account", "ConvertedAccount", readOnly),
  lookup("ConvertedContactId", "Converted Contact ID", "Contact", "ConvertedContact", readOnly),
  lookup(
    "ConvertedOpportunityId",
    "Converted Opportunity ID",
    "Opportunity",
    "ConvertedOpportunity",
    readOnly,
  ),
  text("HubSpot_Contact_Id__c", "HubSpot Contact Id", 64, { externalId: true, unique: true }),
  field("Engagement_Score__c", "Engagement Score", "double"),
  field("Qualification_Criteria__c", "Qualification Criteria", "textarea", { length: 4000 }),
  picklist("Disqualification_Reason__c", "Disqualification Reason", DISQUALIFICATION_REASONS, {
    length: 255,
  }),
  // Standard fields and an org's own that a field mapping can fill (issue 16).
  field("Website", "Website", "url"),
  text("City", "City", 40),
  text("Country", "Country", 80),
  field("AnnualRevenue", "Annual Revenue", "currency"),
  picklist("Region__c", "Region", REGIONS, { length: 255, restrictedPicklist: true }),
  text("Product_Interest__c", "Product Interest", 255),
]);

const contact = object("Contact", "Contact", "Contacts", "003", [
  ...system(),
  text("FirstName", "First Name", 40),
  text("LastName", "Last Name", 80, { required: true }),
  text("Name", "Full Name", 121, readOnly),
  field("Email", "Email", "email", { length: 80 }),
  text("Phone", "Business Phone", 40),
  text("Title", "Title", 128),
  lookup("AccountId", "Account ID", "Account", "Account"),
  picklist("LeadSource", "Lead Source", leadSources),
  owner(),
]);

const account = object("Account", "Account", "Accounts", "001", [
  ...system(),
  text("Name", "Account Name", 255, { required: true }),
  picklist("Industry", "Industry", industries),
  picklist("Type", "Account Type", ["Prospect", "Customer - Direct", "Partner", "Other"]),
  field("NumberOfEmployees", "Employees", "int"),
  field("Website", "Website", "url"),
  field("Description", "Account Description", "textarea", { length: 32000 }),
  owner(),
]);

const opportunity = object("Opportunity", "Opportunity", "Opportunities", "006", [
  ...system(),
  text("Name", "Name", 120, { required: true }),
  lookup("AccountId", "Account ID", "Account", "Account"),
  owner(),
  picklist(
    "StageName",
    "Stage",
    DEFAULT_STAGES.map((s) => s.name),
    {
      length: 255,
      required: true,
      restrictedPicklist: true,
    },
  ),
  field("Amount", "Amount", "currency"),
  field("CloseDate", "Close Date", "date", { required: true }),
  field("Probability", "Probability (%)", "percent"),
  field("IsClosed", "Closed", "boolean", readOnly),
  field("IsWon", "Won", "boolean", readOnly),
  text("ForecastCategoryName", "Forecast Category", 40, readOnly),
  picklist("LeadSource", "Lead Source", leadSources),
  picklist("Type", "Opportunity Type", ["New Customer", "Existing Customer - Upgrade"]),
  field("Description", "Description", "textarea", { length: 32000 }),
]);

const opportunityHistory = object(
  "OpportunityHistory",
  "Opportunity History",
  "Opportunity History",
  "008",
  [
    ...system(false),
    lookup("OpportunityId", "Opportunity ID", "Opportunity", "Opportunity", readOnly),
    text("StageName", "Stage Name", 255, readOnly),
    field("Amount", "Amount", "currency", readOnly),
    field("CloseDate", "Close Date", "date", readOnly),
    field("Probability", "Probability (%)", "percent", readOnly),
    text("ForecastCategory", "Forecast Category", 40, readOnly),
  ],
  false,
);

const opportunityStage = object(
  "OpportunityStage",
  "Opportunity Stage",
  "Opportunity Stages",
  "01J",
  [
    ...system(),
    text("MasterLabel", "Master Label", 255, readOnly),
    text("ApiName", "Api Name", 255, readOnly),
    field("IsActive", "Is Active", "boolean", readOnly),
    field("IsClosed", "Closed", "boolean", readOnly),
    field("IsWon", "Won", "boolean", readOnly),
    field("DefaultProbability", "Probability (%)", "percent", readOnly),
    field("SortOrder", "Sort Order", "int", readOnly),
    text("ForecastCategoryName", "Forecast Category", 40, readOnly),
    text("Description", "Description", 255, readOnly),
  ],
  false,
);

const user = object("User", "User", "Users", "005", [
  ...system(),
  text("Username", "Username", 80),
  text("FirstName", "First Name", 40),
  text("LastName", "Last Name", 80, { required: true }),
  text("Name", "Full Name", 121, readOnly),
  field("Email", "Email", "email", { length: 128, required: true }),
  text("Alias", "Alias", 8),
  text("Title", "Title", 80),
  field("IsActive", "Active", "boolean", { defaultValue: true }),
  lookup("ManagerId", "Manager ID", "User", "Manager"),
  field("Start_Date__c", "Start Date", "date"),
]);

/**
 * Time zones an org may be set to (Salesforce's TimeZoneSidKey picklist is long; these are enough
 * for a demo org and are all IANA names, as most of Salesforce's are).
 */
export const ORG_TIME_ZONES = [
  "America/Los_Angeles",
  "America/Denver",
  "America/Chicago",
  "America/New_York",
  "Europe/London",
  "Europe/Paris",
  "Europe/Berlin",
  "Asia/Tokyo",
  "Australia/Sydney",
  "GMT",
];

/**
 * The org itself, one row that every org has: read-only here (Salesforce lets admins change it in
 * Setup, not through the sandbox's API). No IsDeleted: an org is never in a recycle bin.
 */
const organization = object(
  "Organization",
  "Organization",
  "Organizations",
  "00D",
  [
    ...system().filter((f) => f.name !== "IsDeleted"),
    text("Name", "Name", 80, readOnly),
    text("Country", "Country", 80, readOnly),
    picklist("TimeZoneSidKey", "Locale Time Zone", ORG_TIME_ZONES, {
      ...readOnly,
      length: 40,
      restrictedPicklist: true,
    }),
    picklist("DefaultLocaleSidKey", "Locale", ["en_US", "en_GB", "de_DE", "fr_FR"], {
      ...readOnly,
      length: 40,
      restrictedPicklist: true,
    }),
    picklist("LanguageLocaleKey", "Language", ["en_US", "de", "fr"], {
      ...readOnly,
      length: 40,
      restrictedPicklist: true,
    }),
    picklist(
      "OrganizationType",
      "Edition",
      ["Developer Edition", "Professional Edition", "Enterprise Edition", "Unlimited Edition"],
      { ...readOnly, length: 40, restrictedPicklist: true },
    ),
    field("IsSandbox", "Is Sandbox", "boolean", readOnly),
    text("InstanceName", "Instance Name", 5, readOnly),
    field("FiscalYearStartMonth", "Fiscal Year Starts In", "int", readOnly),
  ],
  false,
);

/** Salesforce's default Task Status picklist. */
export const TASK_STATUSES = [
  "Not Started",
  "In Progress",
  "Completed",
  "Waiting on someone else",
  "Deferred",
];

// An activity logged on a Lead or Contact (a call, an email): what tells the SLA consumer a rep
// has touched a Lead (Lead.Tasks).
const task = object("Task", "Task", "Tasks", "00T", [
  ...system(),
  lookup("WhoId", "Name ID", "Lead", "Who", { polymorphicTo: ["Lead", "Contact"] }),
  // What the activity is about (an Opportunity, an Account): Salesforce's polymorphic What.
  lookup("WhatId", "Related To ID", "Opportunity", "What", {
    polymorphicTo: ["Opportunity", "Account"],
  }),
  text("Subject", "Subject", 255),
  picklist("Status", "Status", TASK_STATUSES, {
    required: true,
    restrictedPicklist: true,
    defaultValue: "Not Started",
  }),
  picklist("Priority", "Priority", ["High", "Normal", "Low"], {
    required: true,
    defaultValue: "Normal",
  }),
  field("ActivityDate", "Due Date Only", "date"),
  field("Description", "Comments", "textarea", { length: 32000 }),
  owner(),
]);

/** Feature_Request__c's urgency picklist (unrestricted: an org may add its own). */
export const URGENCIES = ["Low", "Medium", "High", "Critical"];

// A customer's request as sales logs it (issue 18's request template): the customer and its
// industry come from the Account lookup, the pain is the customer's own words.
const featureRequest = object("Feature_Request__c", "Feature Request", "Feature Requests", "a0F", [
  ...system(),
  text("Name", "Feature Request Name", 80, { required: true }),
  lookup("Account__c", "Account", "Account", "Account__r", { required: true }),
  lookup("Opportunity__c", "Opportunity", "Opportunity", "Opportunity__r"),
  field("Pain__c", "Pain", "textarea", { length: 32768 }),
  field("Expected_Solution__c", "Expected Solution", "textarea", { length: 32768 }),
  field("Business_Value__c", "Business Value", "currency"),
  picklist("Urgency__c", "Urgency", URGENCIES, { length: 255 }),
  owner(),
]);

export const OBJECTS: ObjectDef[] = [
  lead,
  contact,
  account,
  opportunity,
  opportunityHistory,
  opportunityStage,
  user,
  organization,
  task,
  featureRequest,
];

const byLowerName = new Map(OBJECTS.map((o) => [o.name.toLowerCase(), o]));
const byPrefix = new Map(OBJECTS.map((o) => [o.keyPrefix, o]));

export function findObject(name: string): ObjectDef | undefined {
  return byLowerName.get(name.toLowerCase());
}

export function objectForId(id: string): ObjectDef | undefined {
  return byPrefix.get(id.slice(0, 3));
}

export function findField(def: ObjectDef, name: string): FieldDef | undefined {
  return def.byName.get(name.toLowerCase());
}

export interface ChildRelationship {
  name: string;
  child: string;
  field: string;
}

/**
 * Parent-to-child relationships that SOQL subqueries and describe know, e.g.
 * Opportunity.OpportunityHistories.
 */
export const CHILD_RELATIONSHIPS: Record<string, ChildRelationship[]> = {
  Lead: [{ name: "Tasks", child: "Task", field: "WhoId" }],
  Contact: [{ name: "Tasks", child: "Task", field: "WhoId" }],
  Account: [
    { name: "Contacts", child: "Contact", field: "AccountId" },
    { name: "Opportunities", child: "Opportunity", field: "AccountId" },
    { name: "Feature_Requests__r", child: "Feature_Request__c", field: "Account__c" },
  ],
  Opportunity: [
    { name: "OpportunityHistories", child: "OpportunityHistory", field: "OpportunityId" },
    { name: "Feature_Requests__r", child: "Feature_Request__c", field: "Opportunity__c" },
  ],
  User: [
    { name: "Leads", child: "Lead", field: "OwnerId" },
    { name: "Opportunities", child: "Opportunity", field: "OwnerId" },
    { name: "ManagedUsers", child: "User", field: "ManagerId" },
  ],
};

/** Objects whose Name is computed from first and last name. */
export const PERSON_OBJECTS = new Set(["Lead", "Contact", "User"]);
