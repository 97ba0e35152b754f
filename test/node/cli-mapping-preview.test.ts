import { describe, expect, it } from "vitest";
import { describePreview } from "../../cli/rules-preview";
import type { RulesPreview } from "../../shared/contracts/admin";

// Issue 16: `rules preview --mapping` says in words which Lead fields a mapping would change.

const base: RulesPreview = {
  days: 30,
  judged: 2,
  current: { version: 1 },
  toQualified: 0,
  toRefused: 0,
  unchanged: 2,
  byReason: { before: {}, after: {} },
  bySource: { before: {}, after: {} },
  examples: { toQualified: [], toRefused: [] },
  missingProperties: { names: [], readFromHubSpot: 0, unread: 0 },
};

describe("describePreview with a mapping", () => {
  it("lists each Lead field that would change and examples", () => {
    const lines = describePreview({
      ...base,
      mapping: {
        current: { version: 2 },
        contactsChanged: 2,
        fieldsChanged: [
          { field: "Region__c", contacts: 2 },
          { field: "Title", contacts: 1 },
        ],
        examples: [{ contactId: "101", field: "Region__c", before: null, after: "EMEA" }],
      },
    });
    expect(lines).toEqual(
      expect.arrayContaining([
        "2 contact(s) would get different Lead fields than under mapping v2 in force:",
        "  Region__c  2 contact(s)",
        "  Title      1 contact(s)",
        '  contact 101  Region__c: null → "EMEA"',
      ]),
    );
  });

  it("says when the mapping changes nothing, and says nothing of a mapping without one", () => {
    const same = describePreview({
      ...base,
      mapping: { current: { version: 2 }, contactsChanged: 0, fieldsChanged: [], examples: [] },
    });
    expect(same).toContain("the mapping builds the same Lead fields as mapping v2 in force");
    expect(describePreview(base).join("\n")).not.toContain("mapping");
  });
});
