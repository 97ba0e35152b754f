import { describe, expect, it } from "vitest";
import { DEFAULT_ENGAGEMENT } from "../../shared/contracts/criteria";
import { DEFAULT_MAPPING } from "../../shared/contracts/mapping";
import { DEFAULT_RULES, type Rules } from "../../shared/contracts/rules";
import { SUBSCRIBED_PROPERTIES } from "../../workers/handoff/mql";
import { compareSubscriptions, neededSubscriptions } from "../../workers/handoff/subscriptions";

const EVENT_TYPES = [
  "contact.creation",
  "contact.deletion",
  "contact.merge",
  "contact.associationChange",
  "contact.restore",
  "contact.privacyDeletion",
];
const change = (propertyName: string) => ({ eventType: "contact.propertyChange", propertyName });
const withCriterion = (...properties: string[]): Rules => ({
  ...DEFAULT_RULES,
  criteria: [
    ...DEFAULT_RULES.criteria,
    {
      name: "extra",
      description: "extra",
      match: "all",
      conditions: properties.map((property) => ({ property, op: "exists" as const })),
      required: false,
    },
  ],
});

describe("neededSubscriptions", () => {
  it("the default rules: every handled event type and the built-in properties", () => {
    expect(neededSubscriptions(DEFAULT_RULES)).toEqual([
      ...EVENT_TYPES.map((eventType) => ({ eventType })),
      ...SUBSCRIBED_PROPERTIES.map(change),
    ]);
  });

  it.each([
    ["a criterion's contact property", withCriterion("contact.website"), ["website"]],
    [
      "an engagement weight's",
      {
        ...DEFAULT_RULES,
        engagement: {
          ...DEFAULT_ENGAGEMENT,
          points: [...DEFAULT_ENGAGEMENT.points, { property: "contact.phone", points: 1 }],
        },
      },
      ["phone"],
    ],
    [
      "never a leadbridge_* one, nor a company one",
      withCriterion("contact.leadbridge_status", "company.industry"),
      [],
    ],
    ["a built-in one only once", withCriterion("contact.jobtitle"), []],
  ] as [string, Rules, string[]][])("adds %s", (_what, rules, added) => {
    expect(neededSubscriptions(rules)).toEqual([
      ...neededSubscriptions(DEFAULT_RULES),
      ...added.map(change),
    ]);
  });
});

describe("compareSubscriptions", () => {
  const needed = neededSubscriptions(DEFAULT_RULES);
  const all = needed.map((s, i) => ({ ...s, id: String(i + 1), active: true }));

  it("nothing missing or extra when HubSpot has exactly the needed ones", () => {
    const report = compareSubscriptions(DEFAULT_RULES, 1, all);
    expect(report).toMatchObject({ missing: [], extra: [], notCovered: [] });
    expect(report.message).toBe("HubSpot sends every event the rules in force (version 1) need.");
  });

  it("a paused needed one is missing; a paused unneeded one is not extra; an active one is", () => {
    const subscribed = [
      { ...all[0]!, active: false },
      ...all.slice(1),
      { ...change("phone"), id: "90", active: false },
      { ...change("fax"), id: "91", active: true },
    ];
    const report = compareSubscriptions(DEFAULT_RULES, 4, subscribed);
    expect(report.missing).toEqual([{ eventType: "contact.creation" }]);
    expect(report.extra).toEqual([{ ...change("fax"), id: "91", active: true }]);
    expect(report.message).toContain("lacks 1 subscription the rules in force (version 4) need");
    expect(report.message).toContain("1 active subscription is not needed");
  });

  it("follows the field mapping too: its contact properties are needed, its company ones named", () => {
    const mapping = {
      fields: [
        ...DEFAULT_MAPPING.fields,
        {
          field: "Phone",
          from: { property: "contact.phone" },
          transforms: [],
          policy: "always" as const,
        },
        {
          field: "Description",
          from: { template: "{contact.jobtitle} at {company.name}, {company.city}" },
          transforms: [],
          policy: "always" as const,
        },
      ],
    };
    expect(neededSubscriptions(DEFAULT_RULES, mapping)).toEqual([
      ...EVENT_TYPES.map((eventType) => ({ eventType })),
      ...SUBSCRIBED_PROPERTIES.map(change),
      change("phone"),
    ]);
    const report = compareSubscriptions(DEFAULT_RULES, 1, all, mapping);
    expect(report.missing).toEqual([change("phone")]);
    expect(report.notCovered).toEqual(["city", "name"]);
  });

  it("names the company properties no subscription covers", () => {
    const report = compareSubscriptions(
      withCriterion("company.industry", "company.country"),
      2,
      all,
    );
    expect(report.notCovered).toEqual(["country", "industry"]);
    expect(report.message).toContain("a company change does not trigger a new judgement");
  });
});
