import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_MAPPING,
  type FieldMapping,
  type Mapping,
  MappingSchema,
} from "../../shared/contracts/mapping";
import { loadConfig } from "../../shared/env";
import { connectSalesforce } from "../../shared/salesforce/client";
import {
  DESCRIBE_KEY,
  type DescribedField,
  type LeadDescribe,
  leadDescribe,
} from "../../shared/salesforce/describe";
import { checkMapping } from "../../workers/admin/mapping-check";

// Issue 16: a mapping is checked against the Lead's describe before it is saved. Table tests over a
// describe fixture shaped like a real org's, then over the sandbox org's own describe.

function f(name: string, type: string, opts: Partial<DescribedField> = {}): DescribedField {
  return {
    name,
    label: name,
    type,
    length: ["string", "textarea", "email", "url", "phone", "picklist"].includes(type) ? 255 : 0,
    createable: true,
    updateable: true,
    nillable: true,
    defaultedOnCreate: false,
    restrictedPicklist: false,
    picklistValues: [],
    externalId: false,
    ...opts,
  };
}

const FIXTURE: LeadDescribe = {
  fields: [
    f("Id", "id", {
      createable: false,
      updateable: false,
      nillable: false,
      defaultedOnCreate: true,
    }),
    f("Name", "string", { createable: false, updateable: false }),
    f("FirstName", "string", { length: 40 }),
    f("LastName", "string", { length: 80, nillable: false }),
    f("Company", "string", { nillable: false }),
    f("Email", "email", { length: 80 }),
    f("Title", "string", { length: 128 }),
    f("City", "string", { length: 40 }),
    f("Website", "url"),
    f("Industry", "picklist", { picklistValues: ["Technology", "Finance"] }),
    f("LeadSource", "picklist", { length: 40, picklistValues: ["Web", "Other"] }),
    f("Status", "picklist", {
      nillable: false,
      defaultedOnCreate: true,
      restrictedPicklist: true,
      picklistValues: ["Open - Not Contacted", "Working - Contacted"],
    }),
    f("NumberOfEmployees", "int"),
    f("AnnualRevenue", "currency"),
    f("HasOptedOutOfEmail", "boolean", { nillable: false, defaultedOnCreate: true }),
    f("Last_Demo__c", "date"),
    f("Region__c", "picklist", {
      restrictedPicklist: true,
      picklistValues: ["EMEA", "AMER", "APAC"],
    }),
    f("Engagement_Score__c", "double"),
    f("Qualification_Criteria__c", "textarea", { length: 4000 }),
    f("Original_Source__c", "string", { updateable: false }),
    f("HubSpot_Contact_Id__c", "string", { length: 64, nillable: false, externalId: true }),
  ],
};

const base: FieldMapping[] = [
  { field: "LastName", from: { mql: "contactInfo.lastName" }, transforms: [], policy: "always" },
  {
    field: "Company",
    from: { mql: "firmographics.companyName" },
    transforms: [],
    policy: "always",
  },
];
/** The two required fields plus `extra`, parsed as a PUT body would be. */
const mapping = (...extra: Partial<FieldMapping>[]): Mapping =>
  MappingSchema.parse({ fields: [...base, ...extra] });

describe("checkMapping over a describe fixture", () => {
  it("passes the default mapping and a mapping of the required fields alone", () => {
    expect(checkMapping(DEFAULT_MAPPING, FIXTURE)).toEqual([]);
    expect(checkMapping(mapping(), FIXTURE)).toEqual([]);
  });

  it.each<[string, Partial<FieldMapping>, string]>([
    [
      "a field Lead does not have",
      { field: "Regoin__c", from: { property: "contact.region" } },
      "Salesforce's Lead has no field Regoin__c",
    ],
    [
      "a read-only field",
      { field: "Name", from: { property: "contact.firstname" } },
      "Name is read-only in Salesforce",
    ],
    [
      "a field Salesforce sets only on create",
      { field: "Original_Source__c", from: { mql: "source" } },
      "Original_Source__c can be set in Salesforce only when a Lead is created, and Leadbridge also updates Leads",
    ],
    [
      "text into a number field",
      { field: "AnnualRevenue", from: { property: "company.annualrevenue" } },
      "AnnualRevenue is a number field (currency) in Salesforce and gets text from company.annualrevenue: add a number transform",
    ],
    [
      "text into a date field",
      { field: "Last_Demo__c", from: { property: "contact.demo_date" } },
      "Last_Demo__c is a date field (date) in Salesforce and gets text from contact.demo_date: add a date transform",
    ],
    [
      "text into a checkbox",
      { field: "HasOptedOutOfEmail", from: { property: "contact.hs_email_optout" } },
      "HasOptedOutOfEmail is a boolean field (boolean) in Salesforce and gets text from contact.hs_email_optout: add a boolean transform",
    ],
    [
      "a text constant into a number field",
      { field: "NumberOfEmployees", from: { constant: "fifty" } },
      'NumberOfEmployees is a number field (int) in Salesforce and gets text from the constant "fifty": add a number transform',
    ],
    [
      "a boolean constant into a number field",
      { field: "Engagement_Score__c", from: { constant: true } },
      "Engagement_Score__c is a number field (double) in Salesforce and gets a boolean from the constant true",
    ],
    [
      "a number into a date field",
      { field: "Last_Demo__c", from: { mql: "engagementScore" } },
      "Last_Demo__c is a date field (date) in Salesforce and gets a number from the MQL's engagementScore",
    ],
    [
      "the criteria met without a join",
      { field: "Qualification_Criteria__c", from: { mql: "qualificationCriteriaMet" } },
      "Qualification_Criteria__c gets a list (the MQL's qualificationCriteriaMet): add a join transform to make it text",
    ],
    [
      "a constant a restricted picklist refuses",
      { field: "Region__c", from: { constant: "Europe" } },
      "Region__c is a restricted picklist in Salesforce (EMEA, AMER, APAC): the constant gives Europe, which it refuses",
    ],
    [
      "value map outputs a restricted picklist refuses",
      {
        field: "Region__c",
        from: { property: "contact.country" },
        transforms: [
          {
            kind: "map",
            values: { Germany: "EMEA", Brazil: "LATAM", Japan: "APAC" },
            default: "ROW",
          },
        ],
      },
      "Region__c is a restricted picklist in Salesforce (EMEA, AMER, APAC): the value map gives LATAM, ROW, which it refuses",
    ],
    [
      "a value map's output changed by a later transform",
      {
        field: "Region__c",
        from: { property: "contact.country" },
        transforms: [
          { kind: "map", values: { Germany: "EMEA" } },
          { kind: "case", to: "title" },
        ],
      },
      "Region__c is a restricted picklist in Salesforce (EMEA, AMER, APAC): the value map gives Emea, which it refuses",
    ],
    [
      "a constant longer than the field",
      {
        field: "City",
        from: { constant: "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch" },
      },
      "City holds 40 characters in Salesforce and the constant gives 58: shorten it or add a truncate transform",
    ],
  ])("refuses %s", (_, extra, problem) => {
    expect(checkMapping(mapping(extra), FIXTURE)).toEqual([
      { index: 2, field: extra.field, problem },
    ]);
  });

  it.each<[string, Partial<FieldMapping>]>([
    [
      "a number transform into a number field",
      {
        field: "AnnualRevenue",
        from: { property: "company.annualrevenue" },
        transforms: [{ kind: "number" }],
      },
    ],
    [
      "a date transform into a date field",
      {
        field: "Last_Demo__c",
        from: { property: "contact.demo_date" },
        transforms: [{ kind: "date" }],
      },
    ],
    [
      "a boolean transform into a checkbox",
      {
        field: "HasOptedOutOfEmail",
        from: { property: "contact.hs_email_optout" },
        transforms: [{ kind: "boolean" }],
      },
    ],
    ["a number into a text field", { field: "Title", from: { mql: "engagementScore" } }],
    [
      "a number constant into a number field",
      { field: "NumberOfEmployees", from: { constant: 50 } },
    ],
    ["a null constant anywhere", { field: "NumberOfEmployees", from: { constant: null } }],
    ["a constant a restricted picklist takes", { field: "Region__c", from: { constant: "EMEA" } }],
    [
      "a value map into a restricted picklist",
      {
        field: "Region__c",
        from: { property: "contact.country" },
        transforms: [
          {
            kind: "map",
            values: { Germany: "EMEA", Japan: "APAC", Nowhere: null },
            default: "AMER",
          },
        ],
      },
    ],
    [
      "any value into an unrestricted picklist",
      { field: "Industry", from: { constant: "Robotics" } },
    ],
    [
      "a long constant truncated",
      {
        field: "City",
        from: { constant: "x".repeat(60) },
        transforms: [{ kind: "truncate", length: "field" }],
      },
    ],
    ["a template into text", { field: "Website", from: { template: "https://{company.domain}" } }],
    ["a field named in another case", { field: "city", from: { property: "contact.city" } }],
  ])("accepts %s", (_, extra) => {
    expect(checkMapping(mapping(extra), FIXTURE)).toEqual([]);
  });

  it("names every required field nothing fills, as a problem of the whole mapping", () => {
    const problems = checkMapping(
      MappingSchema.parse({ fields: [{ field: "Email", from: { mql: "contactInfo.email" } }] }),
      FIXTURE,
    );
    // Not Status (defaulted), Id (not createable), nor the external id Leadbridge always sets.
    expect(problems).toEqual([
      {
        index: null,
        field: "LastName",
        problem: "LastName is required by Salesforce and nothing fills it",
      },
      {
        index: null,
        field: "Company",
        problem: "Company is required by Salesforce and nothing fills it",
      },
    ]);
  });

  it("reports each field's problems with its index, one per cause", () => {
    const problems = checkMapping(
      mapping(
        { field: "Region__c", from: { constant: "Europe" } },
        { field: "Nope__c", from: { constant: "x" } },
        { field: "Name", from: { constant: 3 } },
      ),
      FIXTURE,
    );
    expect(problems.map((p) => [p.index, p.field])).toEqual([
      [2, "Region__c"],
      [3, "Nope__c"],
      [4, "Name"],
    ]);
  });
});

describe("checkMapping over the sandbox org's describe", () => {
  const sandboxDescribe = async () => {
    await env.KV.delete(DESCRIBE_KEY);
    return leadDescribe(await connectSalesforce(loadConfig(env), env.KV), env.KV);
  };

  it("passes the default mapping", async () => {
    expect(checkMapping(DEFAULT_MAPPING, await sandboxDescribe())).toEqual([]);
  });

  it("knows the org's custom fields and their picklist values", async () => {
    const describe = await sandboxDescribe();
    const ok = mapping(
      { field: "Region__c", from: { constant: "APAC" } },
      { field: "Product_Interest__c", from: { property: "contact.product_interest" } },
      {
        field: "AnnualRevenue",
        from: { property: "company.annualrevenue" },
        transforms: [{ kind: "number" }],
      },
      { field: "Website", from: { property: "company.domain" } },
    );
    expect(checkMapping(ok, describe)).toEqual([]);
    const bad = mapping(
      { field: "Region__c", from: { constant: "LATAM" } },
      { field: "Territory__c", from: { constant: "North" } },
      { field: "City", from: { constant: "x".repeat(41) } },
      { field: "IsConverted", from: { constant: true } },
    );
    expect(checkMapping(bad, describe).map((p) => p.problem)).toEqual([
      "Region__c is a restricted picklist in Salesforce (EMEA, AMER, APAC): the constant gives LATAM, which it refuses",
      "Salesforce's Lead has no field Territory__c",
      "City holds 40 characters in Salesforce and the constant gives 41: shorten it or add a truncate transform",
      "IsConverted is read-only in Salesforce",
    ]);
  });

  it("names Company when a mapping leaves it out", async () => {
    const fields = DEFAULT_MAPPING.fields.filter((m) => m.field !== "Company");
    expect(checkMapping({ fields }, await sandboxDescribe())).toEqual([
      {
        index: null,
        field: "Company",
        problem: "Company is required by Salesforce and nothing fills it",
      },
    ]);
  });
});
