import { describe, expect, it } from "vitest";
import {
  BUILTIN_CRITERIA,
  type Condition,
  type Criterion,
  CriterionSchema,
} from "../../shared/contracts/criteria";
import { DEFAULT_RULES, type Rules, RulesSchema } from "../../shared/contracts/rules";
import { describeZodError } from "../../shared/zod-error";
import {
  compileCriterion,
  describeCriterion,
  propertiesRead,
} from "../../workers/handoff/criteria";
import { criteriaMet, engagementScore, type Properties, toMql } from "../../workers/handoff/mql";
import { qualify } from "../../workers/handoff/qualify";
import fixture from "../fixtures/rules-v1-judgements.json";
import { midMarket } from "./sample-criteria";

// Issue 16: criteria as data. The fixture is 313 contacts (random mixes and one-property edge
// cases: URLs, job titles, conversions, scores) judged by the code of version 1 before criteria
// became data (b03fcb6): the same contacts must be judged the same way now.

const AT = Date.parse("2026-12-02T12:00:00Z");
type Row = {
  contactId: string;
  contact: Properties;
  company: Properties | null;
  mql: unknown;
  judgement: unknown;
};

describe("rules version 1", () => {
  it("judges a fixed set of contacts exactly as before criteria were data", () => {
    const stored = RulesSchema.parse(JSON.parse(JSON.stringify(DEFAULT_RULES)));
    for (const row of fixture as Row[]) {
      const mql = toMql("62515", row.contactId, row.contact, row.company ?? undefined, stored, AT);
      expect(mql, row.contactId).toEqual(row.mql);
      expect(qualify(mql, stored), row.contactId).toEqual(row.judgement);
    }
    expect(
      (fixture as Row[]).filter((r) => (r.judgement as { qualified: boolean }).qualified),
    ).toHaveLength(93);
  });

  it("names its built-in criteria, whose definitions are data in the same language", () => {
    expect(DEFAULT_RULES.criteria).toEqual(Object.keys(BUILTIN_CRITERIA));
    for (const c of Object.values(BUILTIN_CRITERIA)) expect(CriterionSchema.parse(c)).toEqual(c);
  });
});

const subject = (contact: Properties, company?: Properties) => ({ contact, company });
const one = (condition: Condition, match: "all" | "any" = "all") =>
  compileCriterion({
    name: "t",
    description: "t",
    match,
    conditions: [condition],
    required: false,
  });

describe("conditions", () => {
  it.each<[Condition, Properties, boolean]>([
    [{ property: "contact.jobtitle", op: "equals", value: "cto" }, { jobtitle: " CTO " }, true],
    [{ property: "contact.jobtitle", op: "equals", value: "cto" }, { jobtitle: "CTO2" }, false],
    [{ property: "contact.hubspotscore", op: "equals", value: 70 }, { hubspotscore: "70.0" }, true],
    [{ property: "contact.hubspotscore", op: "equals", value: 70 }, { hubspotscore: "71" }, false],
    [
      { property: "contact.jobtitle", op: "in", value: ["CTO", " VP Eng "] },
      { jobtitle: "vp eng" },
      true,
    ],
    [{ property: "contact.jobtitle", op: "in", value: ["CTO"] }, { jobtitle: "CEO" }, false],
    [
      { property: "contact.jobtitle", op: "contains", value: "Data" },
      { jobtitle: "Big DATA lead" },
      true,
    ],
    [{ property: "contact.jobtitle", op: "contains", value: "Data" }, { jobtitle: "Dat a" }, false],
    [
      { property: "contact.jobtitle", op: "starts_with", value: "head" },
      { jobtitle: "Head of IT" },
      true,
    ],
    [
      { property: "contact.jobtitle", op: "starts_with", value: "head" },
      { jobtitle: "The Head" },
      false,
    ],
    [
      { property: "contact.jobtitle", op: "matches", value: "^v(p|ice)" },
      { jobtitle: "VP Sales" },
      true,
    ],
    [
      { property: "contact.jobtitle", op: "matches", value: "^v(p|ice)" },
      { jobtitle: "SVP" },
      false,
    ],
    [{ property: "contact.hubspotscore", op: "at_least", value: 50 }, { hubspotscore: "50" }, true],
    [
      { property: "contact.hubspotscore", op: "at_least", value: 50 },
      { hubspotscore: "49.9" },
      false,
    ],
    [
      { property: "contact.hubspotscore", op: "at_least", value: 50 },
      { hubspotscore: "lots" },
      false,
    ],
    [{ property: "contact.hubspotscore", op: "at_most", value: 50 }, { hubspotscore: "50" }, true],
    [{ property: "contact.hubspotscore", op: "at_most", value: 50 }, { hubspotscore: "51" }, false],
    [{ property: "contact.phone", op: "exists" }, { phone: "+49 30 1234" }, true],
    [{ property: "contact.phone", op: "exists" }, { phone: "  " }, false],
    [{ property: "contact.phone", op: "exists" }, {}, false],
    // 30 days back from AT exactly, a day more, epoch ms, a date property, a day ahead, two ahead.
    [
      { property: "contact.createdate", op: "within_last_days", value: 30 },
      { createdate: "2026-11-02T12:00:00Z" },
      true,
    ],
    [
      { property: "contact.createdate", op: "within_last_days", value: 30 },
      { createdate: "2026-11-01T12:00:00Z" },
      false,
    ],
    [
      { property: "contact.createdate", op: "within_last_days", value: 30 },
      { createdate: String(AT - 86_400_000) },
      true,
    ],
    [
      { property: "contact.createdate", op: "within_last_days", value: 1 },
      { createdate: "2026-12-02" },
      true,
    ],
    [
      { property: "contact.createdate", op: "within_last_days", value: 1 },
      { createdate: "2026-12-03T11:00:00Z" },
      true,
    ],
    [
      { property: "contact.createdate", op: "within_last_days", value: 1 },
      { createdate: "2026-12-04T13:00:00Z" },
      false,
    ],
    [
      { property: "contact.createdate", op: "within_last_days", value: 1 },
      { createdate: "yesterday" },
      false,
    ],
    // An empty property meets no condition, whatever the test.
    [{ property: "contact.hubspotscore", op: "at_most", value: 50 }, { hubspotscore: "" }, false],
    [{ property: "contact.jobtitle", op: "matches", value: ".*" }, { jobtitle: null }, false],
  ])("%j on %j → %s", (condition, contact, expected) => {
    expect(one(condition).met(subject(contact), AT)).toBe(expected);
  });

  it("reads the primary company's properties, and none when there is no company", () => {
    const c = one({ property: "company.numberofemployees", op: "at_least", value: 50 });
    expect(c.met(subject({}, { numberofemployees: "120" }), AT)).toBe(true);
    expect(c.met(subject({}, { numberofemployees: "12" }), AT)).toBe(false);
    expect(c.met(subject({ numberofemployees: "120" }), AT)).toBe(false);
  });

  it("combines conditions with all or any", () => {
    const conditions: Condition[] = [
      { property: "company.numberofemployees", op: "at_least", value: 50 },
      { property: "company.industry", op: "in", value: ["Software", "Fintech"] },
    ];
    const all = compileCriterion({
      name: "a",
      description: "a",
      match: "all",
      conditions,
      required: true,
    });
    const any = compileCriterion({
      name: "a",
      description: "a",
      match: "any",
      conditions,
      required: true,
    });
    const small = subject({}, { numberofemployees: "10", industry: "fintech" });
    const big = subject({}, { numberofemployees: "500", industry: "FINTECH" });
    expect([all.met(small, AT), any.met(small, AT)]).toEqual([false, true]);
    expect([all.met(big, AT), any.met(big, AT)]).toEqual([true, true]);
    expect(any.met(subject({}, { numberofemployees: "1", industry: "Retail" }), AT)).toBe(false);
  });
});

const contact: Properties = {
  email: "ada@analytical.io",
  lastname: "Lovelace",
  jobtitle: "CTO",
  hubspotscore: "80",
  hs_analytics_num_page_views: "10",
};

describe("rules with criteria of an admin's own", () => {
  const rules: Rules = RulesSchema.parse({
    ...DEFAULT_RULES,
    criteria: [...DEFAULT_RULES.criteria, midMarket],
  });

  it("refuses a lead a required criterion does not hold for, saying what it asks", () => {
    const small = toMql(
      "1",
      "2",
      contact,
      { name: "Tiny", numberofemployees: "12", industry: "Software" },
      rules,
      AT,
    );
    expect(small.qualificationCriteriaMet).toEqual(["is_developer_title"]);
    expect(qualify(small, rules)).toEqual({
      qualified: false,
      rejections: [
        {
          code: "criterion_not_met:software_mid_market",
          message:
            'Does not meet "a software or fintech company of 50 people or more" (company numberofemployees at least 50 and company industry one of Software, Fintech); sales takes only leads that do.',
        },
      ],
    });
    const big = toMql(
      "1",
      "2",
      contact,
      { name: "Big", numberofemployees: "50", industry: "fintech" },
      rules,
      AT,
    );
    expect(big.qualificationCriteriaMet).toEqual(["is_developer_title", "software_mid_market"]);
    expect(qualify(big, rules)).toEqual({ qualified: true, rejections: [] });
  });

  it("counts only criteria that are not required toward minCriteriaMet, and lists them", () => {
    const noSignal = { ...contact, jobtitle: "Accountant" };
    const mql = toMql(
      "1",
      "2",
      noSignal,
      { name: "Big", numberofemployees: "80", industry: "Software" },
      rules,
      AT,
    );
    expect(qualify(mql, rules).rejections).toEqual([
      {
        code: "no_qualifying_signal",
        message:
          "No buying signal yet (needs 1 of: downloading a technical whitepaper, visiting the pricing page, a developer, engineer or architect job title).",
      },
    ]);
    const signal: Criterion = { ...midMarket, name: "mid_market_signal", required: false };
    const asSignal = RulesSchema.parse({
      ...DEFAULT_RULES,
      criteria: ["visited_pricing_page", signal],
    });
    expect(
      qualify(
        toMql(
          "1",
          "2",
          noSignal,
          { name: "Big", numberofemployees: "80", industry: "Software" },
          asSignal,
          AT,
        ),
        asSignal,
      ),
    ).toEqual({ qualified: true, rejections: [] });
  });

  it("weighs engagement as the rules say, HubSpot's own score first unless told not to", () => {
    const weights = RulesSchema.parse({
      ...DEFAULT_RULES,
      engagement: {
        useHubSpotScore: false,
        points: [{ property: "contact.hs_analytics_num_page_views", points: 7 }],
      },
    });
    expect(engagementScore(contact, weights)).toBe(70);
    expect(engagementScore({ hs_analytics_num_page_views: "40" }, weights)).toBe(100);
    expect(engagementScore(contact)).toBe(80);
    expect(engagementScore({ hs_analytics_num_page_views: "10" })).toBe(20);
  });

  it("reads the properties its criteria and weights name", () => {
    const withCountry = RulesSchema.parse({
      ...DEFAULT_RULES,
      criteria: [
        ...DEFAULT_RULES.criteria,
        midMarket,
        {
          ...midMarket,
          name: "dach",
          conditions: [{ property: "company.country", op: "in", value: ["Germany"] }],
        },
      ],
    });
    expect(propertiesRead(withCountry)).toEqual({
      contact: [
        "hs_analytics_first_url",
        "hs_analytics_last_url",
        "hs_analytics_num_page_views",
        "hs_analytics_num_visits",
        "jobtitle",
        "num_conversion_events",
        "recent_conversion_event_name",
      ],
      company: ["country", "industry", "numberofemployees"],
    });
    expect(describeCriterion(midMarket)).toBe(
      "company numberofemployees at least 50 and company industry one of Software, Fintech",
    );
  });

  it("keeps the built-in signals in the MQL whatever criteria the rules name", () => {
    const onlyMine = RulesSchema.parse({
      ...DEFAULT_RULES,
      minCriteriaMet: 0,
      criteria: [midMarket],
    });
    expect(
      criteriaMet(contact, { numberofemployees: "60", industry: "Software" }, onlyMine, AT),
    ).toEqual(["is_developer_title", "software_mid_market"]);
  });
});

describe("RulesSchema", () => {
  it.each<[unknown, string]>([
    [
      [
        ...DEFAULT_RULES.criteria,
        { ...midMarket, conditions: [{ property: "numberofemployees", op: "at_least", value: 5 }] },
      ],
      "rules.criteria[3].conditions[0].property: a property as contact.<internal name>",
    ],
    [
      [
        ...DEFAULT_RULES.criteria,
        { ...midMarket, conditions: [{ property: "contact.jobtitle", op: "matches", value: "(" }] },
      ],
      "rules.criteria[3].conditions[0].value: not a valid regular expression",
    ],
    [
      [
        ...DEFAULT_RULES.criteria,
        { ...midMarket, conditions: [{ property: "contact.jobtitle", op: "near", value: "x" }] },
      ],
      "rules.criteria[3].conditions[0].op",
    ],
    [[...DEFAULT_RULES.criteria, { ...midMarket, conditions: [] }], "rules.criteria[3].conditions"],
    [
      [...DEFAULT_RULES.criteria, midMarket, midMarket],
      'rules.criteria[4]: criterion "software_mid_market" is listed twice',
    ],
    [
      ["downloaded_technical_whitepaper", { ...midMarket, name: "visited_pricing_page" }],
      'rules.criteria[1].name: "visited_pricing_page" is a built-in criterion',
    ],
    [
      [...DEFAULT_RULES.criteria, { ...midMarket, name: "Mid Market" }],
      "rules.criteria[3].name: lower-case letters",
    ],
    [["owns_a_yacht"], "rules.criteria[0]: Invalid option: expected one of"],
  ])("refuses %j: %s", (criteria, described) => {
    const result = RulesSchema.safeParse({ ...DEFAULT_RULES, criteria });
    expect(result.success).toBe(false);
    expect(describeZodError(result.error!, "rules")).toContain(described);
  });

  it("refuses asking for more signals than the criteria that are not required", () => {
    const result = RulesSchema.safeParse({
      ...DEFAULT_RULES,
      minCriteriaMet: 2,
      criteria: ["visited_pricing_page", midMarket],
    });
    expect(result.error!.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["minCriteriaMet", "asks for 2 criteria met, but only 1 criteria are not required"],
    ]);
    expect(
      RulesSchema.safeParse({ ...DEFAULT_RULES, minCriteriaMet: 0, criteria: [midMarket] }).success,
    ).toBe(true);
  });
});
