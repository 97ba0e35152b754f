import { describe, expect, it } from "vitest";
import {
  DEFAULT_MAPPING,
  type FieldMapping,
  type Mapping,
  MappingSchema,
} from "../../shared/contracts/mapping";
import type { Mql } from "../../shared/contracts/mql";
import { fieldValue, toLeadFields } from "../../workers/handoff/lead-mapping";
import type { Properties } from "../../workers/handoff/mql";
import fixture from "../fixtures/rules-v1-judgements.json";

// Issue 16: the field mapping as data. Version 1 must build, byte for byte, the Lead that
// toSalesforceLead built before (so no Lead's payload key changes and nothing is pushed again).

/** toSalesforceLead as it was before the mapping was data (frozen here as the yardstick). */
function frozenToSalesforceLead(contactId: string, mql: Mql) {
  return {
    HubSpot_Contact_Id__c: contactId,
    FirstName: mql.contactInfo.firstName,
    LastName: mql.contactInfo.lastName,
    Email: mql.contactInfo.email,
    Company: mql.firmographics.companyName,
    Title: mql.contactInfo.jobTitle,
    Industry: mql.firmographics.industry,
    NumberOfEmployees: mql.firmographics.employeeCount,
    LeadSource: `HubSpot: ${mql.source}`.slice(0, 40),
    Engagement_Score__c: mql.engagementScore,
    Qualification_Criteria__c: mql.qualificationCriteriaMet.join(";"),
  };
}

type Row = { contactId: string; contact: Properties; company: Properties | null; mql: Mql };

const mql: Mql = (fixture as unknown as Row[])[0]!.mql;
const value = (
  f: Partial<FieldMapping> & Pick<FieldMapping, "from">,
  contact: Properties = {},
  company: Properties | null = null,
  fieldLength?: (field: string) => number | undefined,
) =>
  fieldValue(
    { field: "X__c", transforms: [], policy: "always", ...f },
    { contactId: "1", mql, contact, company },
    fieldLength,
  );

describe("version 1", () => {
  it("builds exactly the Lead toSalesforceLead built, for the 313 fixture contacts", () => {
    const rows = fixture as unknown as Row[];
    expect(rows).toHaveLength(313);
    for (const row of rows) {
      const input = {
        contactId: row.contactId,
        mql: row.mql,
        contact: row.contact,
        company: row.company,
      };
      const lead = toLeadFields(DEFAULT_MAPPING, input);
      // Same keys in the same order: the payload key is a digest of the JSON.
      expect(JSON.stringify(lead)).toBe(
        JSON.stringify(frozenToSalesforceLead(row.contactId, row.mql)),
      );
    }
  });

  it("is a valid mapping document", () => {
    expect(MappingSchema.parse(DEFAULT_MAPPING)).toEqual(DEFAULT_MAPPING);
  });
});

describe("sources", () => {
  it("reads contact and company properties, empty as null", () => {
    expect(value({ from: { property: "contact.country" } }, { country: "France" })).toBe("France");
    expect(value({ from: { property: "company.domain" } }, {}, { domain: "acme.io" })).toBe(
      "acme.io",
    );
    expect(value({ from: { property: "company.domain" } }, {}, null)).toBeNull();
    expect(value({ from: { property: "contact.country" } }, { country: "" })).toBeNull();
  });

  it("takes constants and MQL values", () => {
    expect(value({ from: { constant: "Web" } })).toBe("Web");
    expect(value({ from: { constant: 7 } })).toBe(7);
    expect(value({ from: { constant: true } })).toBe(true);
    expect(value({ from: { mql: "leadId" } })).toBe("hs-62515-1000");
    expect(value({ from: { mql: "engagementScore" } })).toBe(100);
    // An unjoined list is written as Salesforce's multi-select picklist writes one.
    expect(value({ from: { mql: "qualificationCriteriaMet" } })).toBe(
      "downloaded_technical_whitepaper;visited_pricing_page;is_developer_title",
    );
  });

  it("fills templates, empty references as nothing, all empty as null", () => {
    const from = { template: "{contact.firstname} {contact.lastname} ({company.name})" };
    expect(value({ from }, { firstname: "Ada", lastname: "Lovelace" }, { name: "Acme" })).toBe(
      "Ada Lovelace (Acme)",
    );
    expect(value({ from }, { lastname: "Lovelace" })).toBe(" Lovelace ()");
    expect(value({ from, transforms: [{ kind: "trim" }] }, { lastname: "Lovelace" })).toBe(
      "Lovelace ()",
    );
    expect(value({ from }, {})).toBeNull();
    expect(value({ from: { template: "HubSpot" } })).toBe("HubSpot");
  });
});

describe("transforms", () => {
  const prop = { property: "contact.x" } as const;
  const t = (transforms: FieldMapping["transforms"], x: string | null) =>
    value({ from: prop, transforms }, { x });

  it("trim, and an empty result is null", () => {
    expect(t([{ kind: "trim" }], "  a b ")).toBe("a b");
    expect(t([{ kind: "trim" }], "   ")).toBeNull();
  });

  it("truncate to a length, or to the field's (skipped when unknown)", () => {
    expect(t([{ kind: "truncate", length: 3 }], "abcdef")).toBe("abc");
    const len = (f: string) => (f === "X__c" ? 4 : undefined);
    expect(
      value(
        { from: prop, transforms: [{ kind: "truncate", length: "field" }] },
        { x: "abcdef" },
        null,
        len,
      ),
    ).toBe("abcd");
    expect(t([{ kind: "truncate", length: "field" }], "abcdef")).toBe("abcdef");
  });

  it("case upper, lower, title", () => {
    expect(t([{ kind: "case", to: "upper" }], "fr")).toBe("FR");
    expect(t([{ kind: "case", to: "lower" }], "ACME Inc")).toBe("acme inc");
    expect(t([{ kind: "case", to: "title" }], "jean-luc O'NEIL de la mer")).toBe(
      "Jean-Luc O'neil De La Mer",
    );
  });

  it("map values, else the default, else unchanged", () => {
    const map = { kind: "map", values: { fr: "France", de: "Germany" } } as const;
    expect(t([map], "fr")).toBe("France");
    expect(t([map], "it")).toBe("it");
    expect(t([{ ...map, default: "Other" }], "it")).toBe("Other");
    expect(t([{ ...map, default: null }], "it")).toBeNull();
  });

  it("number: finite or null", () => {
    expect(t([{ kind: "number" }], " 42.5 ")).toBe(42.5);
    expect(t([{ kind: "number" }], "abc")).toBeNull();
    expect(t([{ kind: "number" }], "Infinity")).toBeNull();
    expect(t([{ kind: "number" }], "")).toBeNull();
  });

  it("date: YYYY-MM-DD from epoch milliseconds or ISO, else null", () => {
    expect(t([{ kind: "date" }], "1764547200000")).toBe("2025-12-01");
    expect(t([{ kind: "date" }], "2026-11-01T23:30:00Z")).toBe("2026-11-01");
    expect(t([{ kind: "date" }], "2026-11-01")).toBe("2026-11-01");
    expect(t([{ kind: "date" }], "next tuesday")).toBeNull();
  });

  it("boolean: true/false/yes/no/1/0, else null", () => {
    for (const [x, b] of [
      ["true", true],
      ["Yes", true],
      ["1", true],
      ["FALSE", false],
      ["no", false],
      ["0", false],
      ["maybe", null],
    ] as const)
      expect(t([{ kind: "boolean" }], x)).toBe(b);
  });

  it("prefix and join", () => {
    expect(t([{ kind: "prefix", text: "HubSpot: " }], "ads")).toBe("HubSpot: ads");
    expect(t([{ kind: "prefix", text: "HubSpot: " }], null)).toBeNull();
    expect(
      value({
        from: { mql: "qualificationCriteriaMet" },
        transforms: [{ kind: "join", separator: ", " }],
      }),
    ).toBe("downloaded_technical_whitepaper, visited_pricing_page, is_developer_title");
  });

  it("apply in order", () => {
    expect(
      t(
        [{ kind: "trim" }, { kind: "case", to: "upper" }, { kind: "truncate", length: 2 }],
        "  fra ",
      ),
    ).toBe("FR");
    expect(
      t(
        [
          { kind: "truncate", length: 2 },
          { kind: "case", to: "upper" },
        ],
        "  fra ",
      ),
    ).toBe("  ");
  });

  it("a mapping to a custom field always carries the external id", () => {
    const mapping: Mapping = MappingSchema.parse({
      fields: [{ field: "Region__c", from: { property: "contact.country" } }],
    });
    expect(
      toLeadFields(mapping, { contactId: "77", mql, contact: { country: "FR" }, company: null }),
    ).toEqual({ HubSpot_Contact_Id__c: "77", Region__c: "FR" });
  });
});
