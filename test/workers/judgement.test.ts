import { describe, expect, it } from "vitest";
import { DEFAULT_MAPPING } from "../../shared/contracts/mapping";
import { type Mql, MqlSchema } from "../../shared/contracts/mql";
import { DEFAULT_RULES, FREE_EMAIL_DOMAINS, type Rules } from "../../shared/contracts/rules";
import { retryAfterMs } from "../../shared/hubspot/retry";
import { coalesceByContact } from "../../workers/handoff/coalesce";
import {
  alreadyShown,
  handedOffFeedback,
  NOTE_HEADLINE,
  toFeedback,
} from "../../workers/handoff/feedback";
import { toLeadFields } from "../../workers/handoff/lead-mapping";
import { criteriaMet, engagementScore, type Properties, toMql } from "../../workers/handoff/mql";
import { isFreeEmailDomain, qualify } from "../../workers/handoff/qualify";
import { describeSalesforceRefusal } from "../../workers/handoff/salesforce-lead";

const good: Properties = {
  email: "Ada@Analytical.io",
  firstname: "Ada",
  lastname: "Lovelace",
  jobtitle: "Staff Software Engineer",
  hubspotscore: "72",
  hs_analytics_source: "ORGANIC_SEARCH",
  hs_analytics_last_url: "https://www.example.com/pricing?plan=team",
};
const company: Properties = {
  name: "Analytical Engines",
  industry: "COMPUTER_SOFTWARE",
  numberofemployees: "120",
};

describe("toMql", () => {
  it("builds the playbook contract with a stable, non-UUID lead id", () => {
    const mql = toMql("62515", "101", good, company);
    expect(MqlSchema.parse(mql)).toEqual(mql);
    expect(mql).toEqual({
      leadId: "hs-62515-101",
      source: "organic_search",
      contactInfo: {
        email: "ada@analytical.io",
        firstName: "Ada",
        lastName: "Lovelace",
        jobTitle: "Staff Software Engineer",
      },
      firmographics: {
        companyName: "Analytical Engines",
        industry: "COMPUTER_SOFTWARE",
        employeeCount: 120,
      },
      engagementScore: 72,
      qualificationCriteriaMet: ["visited_pricing_page", "is_developer_title"],
    });
  });

  it("falls back to the company property and keeps unicode and right-to-left names intact", () => {
    const mql = toMql("1", "2", {
      ...good,
      firstname: "  مريم ",
      lastname: "Zoë O'Brien",
      company: "Ünïcode GmbH",
    });
    expect(mql.contactInfo.firstName).toBe("مريم");
    expect(mql.contactInfo.lastName).toBe("Zoë O'Brien");
    expect(mql.firmographics.companyName).toBe("Ünïcode GmbH");
  });
});

describe("engagementScore", () => {
  it.each([
    [{ hubspotscore: "72" }, 72],
    [{ hubspotscore: "140" }, 100],
    [{ hubspotscore: "-3" }, 0],
    [
      {
        hs_analytics_num_page_views: "10",
        hs_analytics_num_visits: "5",
        num_conversion_events: "2",
      },
      70,
    ],
    [{ hs_analytics_num_page_views: "500" }, 100],
    [{ hubspotscore: "", hs_analytics_num_visits: "3" }, 12],
    [{ hs_analytics_num_page_views: "lots" }, 0],
  ])("%j → %i", (props, expected) => expect(engagementScore(props)).toBe(expected));
});

describe("criteriaMet", () => {
  it.each([
    [
      { recent_conversion_event_name: "Downloaded: Kubernetes Whitepaper" },
      ["downloaded_technical_whitepaper"],
    ],
    [{ recent_conversion_event_name: "white-paper form" }, ["downloaded_technical_whitepaper"]],
    [{ hs_analytics_first_url: "https://x.io/en/pricing" }, ["visited_pricing_page"]],
    [{ hs_analytics_last_url: "https://x.io/blog?ref=/pricing" }, []],
    [{ jobtitle: "VP Marketing" }, []],
    [{ jobtitle: "CTO" }, ["is_developer_title"]],
    [{ jobtitle: "Site Reliability Lead" }, ["is_developer_title"]],
    [{ jobtitle: "DevOps" }, ["is_developer_title"]],
  ])("%j → %j", (props, expected) => expect(criteriaMet(props)).toEqual(expected));
});

describe("qualify with the default rules", () => {
  const judge = (props: Properties, co?: Properties) =>
    qualify(toMql("1", "9", props, co), DEFAULT_RULES);
  const codes = (props: Properties, co?: Properties) => {
    const j = judge(props, co);
    return j.qualified ? [] : j.rejections.map((r) => r.code);
  };

  it("qualifies a complete, engaged, developer contact", () => {
    expect(judge(good, company)).toEqual({ qualified: true, rejections: [] });
  });

  it.each([
    [{ ...good, email: "ada@gmail.com" }, company, ["free_email_domain"]],
    [{ ...good, email: "ada@yahoo.co.uk" }, company, ["free_email_domain"]],
    [{ ...good, email: "ada@163.com" }, company, ["free_email_domain"]],
    [{ ...good, email: "ada@mail.acme.com" }, company, []],
    [{ ...good, email: "not-an-email" }, company, ["invalid_email"]],
    [{ ...good, email: null }, company, ["missing_email"]],
    [{ ...good, lastname: " " }, company, ["missing_last_name"]],
    [good, undefined, ["missing_company"]],
    [{ ...good, hubspotscore: "59" }, company, ["engagement_below_threshold"]],
    // A score exactly at the rules' minimum (60) qualifies: the minimum is inclusive.
    [{ ...good, hubspotscore: "60" }, company, []],
    [
      { ...good, jobtitle: "Marketing Manager", hs_analytics_last_url: null },
      company,
      ["no_qualifying_signal"],
    ],
    [
      { email: "x@gmail.com", hubspotscore: "10" },
      undefined,
      [
        "missing_last_name",
        "missing_company",
        "free_email_domain",
        "engagement_below_threshold",
        "no_qualifying_signal",
      ],
    ],
  ])("%j with %j → %j", (props, co, expected) => expect(codes(props, co)).toEqual(expected));

  it("explains each refusal in words a marketer can act on", () => {
    const j = judge({ ...good, email: "ada@gmail.com", hubspotscore: "40" }, company);
    expect(j.qualified).toBe(false);
    expect(j.rejections.map((r) => r.message)).toEqual([
      "gmail.com is a personal webmail address; ask for a work email (e.g. through a form field) before handing off.",
      "Engagement score is 40, below the 60 sales accepts; nurture the contact until it is higher.",
    ]);
  });

  it("follows edited rules", () => {
    const mql = toMql("1", "9", { ...good, hubspotscore: "30" }, company);
    expect(qualify(mql, { ...DEFAULT_RULES, minEngagementScore: 25 }).qualified).toBe(true);
    expect(qualify(mql, { ...DEFAULT_RULES, minEngagementScore: 30 }).qualified).toBe(true);
    expect(qualify(mql, { ...DEFAULT_RULES, minEngagementScore: 31 }).qualified).toBe(false);
    expect(
      qualify(mql, {
        ...DEFAULT_RULES,
        minEngagementScore: 25,
        criteria: ["downloaded_technical_whitepaper"],
      }).qualified,
    ).toBe(false);
  });

  it("matches free domains by label or exact domain only", () => {
    expect(isFreeEmailDomain("outlook.com", ["outlook"])).toBe(true);
    expect(isFreeEmailDomain("outlook.acme.com", ["outlook"])).toBe(false);
    expect(isFreeEmailDomain("gmx.net", ["gmx.net"])).toBe(true);
    expect(isFreeEmailDomain("mail.gmx.net", ["gmx.net"])).toBe(true);
    expect(isFreeEmailDomain("notgmx.net", ["gmx.net"])).toBe(false);
    expect(isFreeEmailDomain("GMAIL.co.uk", ["gmail"])).toBe(true);
    expect(isFreeEmailDomain("gmail.company.io", ["gmail"])).toBe(false);
    expect(isFreeEmailDomain("a.b", ["a.b.c"])).toBe(false);
    expect(isFreeEmailDomain("acme.com", [])).toBe(false);
    // A regex-looking entry is a literal label.
    expect(isFreeEmailDomain("g.ail.com", ["g.ail.com"])).toBe(true);
    expect(isFreeEmailDomain("gxail.com", ["g-ail"])).toBe(false);
  });
});

describe("qualify: what each refusal tells the marketer", () => {
  // Written out rather than built with toMql: nothing of mql.ts runs outside a test, where
  // Stryker could not tell which tests cover it.
  const base: Mql = {
    leadId: "hs-1-9",
    source: "organic_search",
    contactInfo: {
      email: "ada@analytical.io",
      firstName: "Ada",
      lastName: "Lovelace",
      jobTitle: "Staff Software Engineer",
    },
    firmographics: {
      companyName: "Analytical Engines",
      industry: "COMPUTER_SOFTWARE",
      employeeCount: 120,
    },
    engagementScore: 72,
    qualificationCriteriaMet: ["visited_pricing_page", "is_developer_title"],
  };
  const withContact = (over: Partial<Mql["contactInfo"]>, firmographics = base.firmographics) => ({
    ...base,
    contactInfo: { ...base.contactInfo, ...over },
    firmographics,
  });
  const refusals = (mql: Mql, rules: Rules = DEFAULT_RULES) => qualify(mql, rules).rejections;

  it("names every missing required field with its own code and fix", () => {
    const bare = withContact(
      { email: null, firstName: null, lastName: null, jobTitle: null },
      { ...base.firmographics, companyName: null },
    );
    const rules: Rules = {
      ...DEFAULT_RULES,
      requiredFields: ["email", "lastName", "firstName", "companyName", "jobTitle"],
    };
    expect(refusals(bare, rules)).toEqual([
      {
        code: "missing_email",
        message: "Add an email address; sales needs it to work the lead.",
      },
      {
        code: "missing_last_name",
        message: "Add the contact's last name; sales needs it to work the lead.",
      },
      {
        code: "missing_first_name",
        message: "Add the contact's first name; sales needs it to work the lead.",
      },
      {
        code: "missing_company",
        message:
          "Associate the contact with a company (or fill in the Company name property); sales needs it to work the lead.",
      },
      {
        code: "missing_job_title",
        message: "Add the contact's job title; sales needs it to work the lead.",
      },
    ]);
  });

  it("quotes an invalid email address back", () => {
    expect(refusals(withContact({ email: "ada@analytical" }))).toEqual([
      {
        code: "invalid_email",
        message: 'The email address "ada@analytical" is not valid; correct it.',
      },
    ]);
  });

  it.each([
    ["ada@evil@analytical.io", "a second @"],
    ["ada lovelace@analytical.io", "a space in the local part"],
    ["ada@analytical.io>", "trailing junk after the domain"],
    ["ada@analytical.io/x", "a path after the domain"],
  ])("refuses %s (%s) as invalid rather than judging the domain inside it", (email) => {
    expect(refusals(withContact({ email })).map((r) => r.code)).toEqual(["invalid_email"]);
  });

  it("ignores whitespace around an email address it is handed", () => {
    expect(qualify(withContact({ email: "  ada@analytical.io \n" }), DEFAULT_RULES)).toEqual({
      qualified: true,
      rejections: [],
    });
  });

  it("lists the buying signals that would qualify, in words", () => {
    const noSignal = { ...base, qualificationCriteriaMet: [] };
    expect(refusals(noSignal)).toEqual([
      {
        code: "no_qualifying_signal",
        message:
          "No buying signal yet (needs 1 of: downloading a technical whitepaper, visiting the pricing page, a developer, engineer or architect job title).",
      },
    ]);
    expect(
      refusals(noSignal, {
        ...DEFAULT_RULES,
        minCriteriaMet: 2,
        criteria: ["visited_pricing_page", "is_developer_title"],
      }).map((r) => r.message),
    ).toEqual([
      "No buying signal yet (needs 2 of: visiting the pricing page, a developer, engineer or architect job title).",
    ]);
  });

  it("qualifies with exactly the minimum number of signals, and with none when the minimum is 0", () => {
    const oneSignal = { ...base, qualificationCriteriaMet: ["visited_pricing_page" as const] };
    expect(qualify(oneSignal, DEFAULT_RULES).qualified).toBe(true);
    const twoNeeded = { ...DEFAULT_RULES, minCriteriaMet: 2 };
    expect(refusals(oneSignal, twoNeeded).map((r) => r.code)).toEqual(["no_qualifying_signal"]);
    expect(qualify(base, twoNeeded).qualified).toBe(true);
    const noSignal = { ...base, qualificationCriteriaMet: [] };
    expect(qualify(noSignal, { ...DEFAULT_RULES, minCriteriaMet: 0 }).qualified).toBe(true);
  });

  it("does not mistake a business domain on a TLD named like a webmail label for webmail", () => {
    // .me and .live are real TLDs; "me" and "live" are webmail labels in the default list (me.com,
    // live.com). A fresh copy of the list: matchers are compiled once per list.
    const rules = { ...DEFAULT_RULES, freeEmailDomains: [...FREE_EMAIL_DOMAINS] };
    expect(qualify(withContact({ email: "ada@analytical.me" }), rules).qualified).toBe(true);
    expect(qualify(withContact({ email: "ada@analytical.live" }), rules).qualified).toBe(true);
    expect(refusals(withContact({ email: "ada@me.com" }), rules).map((r) => r.code)).toEqual([
      "free_email_domain",
    ]);
  });

  it("matches every label in a list, and a listed domain only as itself or a parent", () => {
    expect(isFreeEmailDomain("yahoo.com", ["gmail", "yahoo"])).toBe(true);
    expect(isFreeEmailDomain("gmail.com", ["gmail", "yahoo"])).toBe(true);
    // One letter longer is another company's domain, not a subdomain of the listed one.
    expect(isFreeEmailDomain("xgmx.net", ["gmx.net"])).toBe(false);
    // A listed domain is not a label: gmx.net does not cover gmx.net.io.
    expect(isFreeEmailDomain("gmx.net.io", ["gmx.net"])).toBe(false);
  });
});

describe("toFeedback", () => {
  const rejections = [
    { code: "free_email_domain", message: "gmail.com is a personal <webmail> address." },
    { code: "engagement_below_threshold", message: "Too low." },
  ];

  it("writes status, sorted codes and an escaped note the first time", () => {
    const f = toFeedback("7", rejections, 3, null);
    expect(f.properties).toEqual({
      leadbridge_status: "rejected",
      leadbridge_rejection_reasons: "engagement_below_threshold;free_email_domain",
    });
    expect(f.note).toContain("rules v3");
    expect(f.note).toContain("personal &lt;webmail&gt; address");
    expect(f.feedbackKey).toBe("engagement_below_threshold;free_email_domain");
  });

  it("writes no second note while the reasons stay the same", () => {
    expect(
      toFeedback("7", rejections, 3, "engagement_below_threshold;free_email_domain").note,
    ).toBeUndefined();
    expect(
      toFeedback("7", rejections.slice(1), 3, "engagement_below_threshold;free_email_domain").note,
    ).toBeDefined();
  });

  it("skips writes HubSpot already shows", () => {
    expect(
      alreadyShown(
        { leadbridge_status: "rejected", leadbridge_rejection_reasons: "a" },
        { leadbridge_status: "rejected", leadbridge_rejection_reasons: "a" },
      ),
    ).toBe(true);
    expect(
      alreadyShown(
        { leadbridge_status: "rejected" },
        { leadbridge_status: "handed_off", leadbridge_rejection_reasons: "" },
      ),
    ).toBe(false);
  });
});

describe("feedback a marketer sees in HubSpot", () => {
  it("writes the whole note: headline with the rules version, each fix with its code, escaped", () => {
    const f = toFeedback(
      "7",
      [
        { code: "free_email_domain", message: `gmail.com is "personal" & isn't <work>` },
        { code: "engagement_below_threshold", message: "Too low." },
      ],
      3,
      null,
    );
    expect(NOTE_HEADLINE).toBe("Leadbridge did not hand this contact to sales");
    expect(f).toEqual({
      contactId: "7",
      properties: {
        leadbridge_status: "rejected",
        leadbridge_rejection_reasons: "engagement_below_threshold;free_email_domain",
      },
      feedbackKey: "engagement_below_threshold;free_email_domain",
      note:
        "<p><strong>Leadbridge did not hand this contact to sales</strong> (qualification rules v3).</p>" +
        "<p>What to fix:</p><ul>" +
        "<li>gmail.com is &quot;personal&quot; &amp; isn&#39;t &lt;work&gt; <code>free_email_domain</code></li>" +
        "<li>Too low. <code>engagement_below_threshold</code></li>" +
        "</ul><p>Once fixed, the contact is judged again automatically.</p>",
    });
  });

  it("still writes the status and reasons when the reasons are unchanged, only without a note", () => {
    const rejections = [{ code: "missing_email", message: "Add an email address." }];
    expect(toFeedback("7", rejections, 4, "missing_email")).toEqual({
      contactId: "7",
      properties: { leadbridge_status: "rejected", leadbridge_rejection_reasons: "missing_email" },
      feedbackKey: "missing_email",
    });
  });

  it("marks a handed-off contact with its Salesforce Lead and clears old reasons", () => {
    expect(handedOffFeedback("7", "00Q5e00000AbCdE")).toEqual({
      contactId: "7",
      properties: {
        leadbridge_status: "handed_off",
        leadbridge_rejection_reasons: "",
        leadbridge_salesforce_lead_id: "00Q5e00000AbCdE",
      },
      feedbackKey: null,
    });
  });

  it("treats a property HubSpot has never set as empty, and an unread contact as needing the write", () => {
    const handedOff = handedOffFeedback("7", "00Q5e00000AbCdE").properties;
    expect(
      alreadyShown(
        {
          leadbridge_status: "handed_off",
          leadbridge_rejection_reasons: null,
          leadbridge_salesforce_lead_id: "00Q5e00000AbCdE",
        },
        handedOff,
      ),
    ).toBe(true);
    expect(
      alreadyShown(
        { leadbridge_status: "handed_off", leadbridge_salesforce_lead_id: "00Q5e00000AbCdE" },
        handedOff,
      ),
    ).toBe(true);
    expect(alreadyShown(undefined, handedOff)).toBe(false);
    expect(alreadyShown(undefined, {})).toBe(false);
  });
});

describe("toMql at the edges of HubSpot's data", () => {
  it("truncates overlong properties to the contract's limits instead of failing the contact", () => {
    const long = (n: number) => "x".repeat(n);
    const mql = toMql(
      "1",
      "2",
      {
        ...good,
        email: `${long(300)}@analytical.io`,
        firstname: long(150),
        lastname: long(150),
        jobtitle: long(250),
        hs_analytics_source: long(150),
      },
      { name: long(300), industry: long(150) },
    );
    expect(mql.contactInfo.email).toHaveLength(254);
    expect(mql.contactInfo.firstName).toHaveLength(100);
    expect(mql.contactInfo.lastName).toHaveLength(100);
    expect(mql.contactInfo.jobTitle).toHaveLength(200);
    expect(mql.source).toHaveLength(100);
    expect(mql.firmographics.companyName).toHaveLength(255);
    expect(mql.firmographics.industry).toHaveLength(100);
  });

  it("says unknown for a contact without an analytics source", () => {
    expect(toMql("1", "2", { ...good, hs_analytics_source: null }).source).toBe("unknown");
    expect(toMql("1", "2", { ...good, hs_analytics_source: "  " }).source).toBe("unknown");
  });

  it("keeps a company's recorded 0 employees and drops a negative count", () => {
    expect(toMql("1", "2", good, { ...company, numberofemployees: "0" }).firmographics).toEqual(
      expect.objectContaining({ employeeCount: 0 }),
    );
    expect(toMql("1", "2", good, { ...company, numberofemployees: "-5" }).firmographics).toEqual(
      expect.objectContaining({ employeeCount: null }),
    );
    // A typo'd import ("1e999") is no employee count, not a reason to fail the contact.
    expect(toMql("1", "2", good, { ...company, numberofemployees: "1e999" }).firmographics).toEqual(
      expect.objectContaining({ employeeCount: null }),
    );
  });

  it.each([
    [{ hs_analytics_num_page_views: "-50", hs_analytics_num_visits: "10" }, 40],
    [{ hs_analytics_num_page_views: "lots", hs_analytics_num_visits: "10" }, 40],
    [{ hs_analytics_num_page_views: "0", num_conversion_events: "1" }, 15],
    [{ hs_analytics_num_visits: "2.9" }, 8],
    // A HubSpot score that is not a number falls back to the analytics counts.
    [{ hubspotscore: "n/a", hs_analytics_num_visits: "10" }, 40],
    [{ hs_analytics_num_page_views: "1e999", hs_analytics_num_visits: "10" }, 40],
  ])("ignores counts that are not whole non-negative numbers: %j → %i", (props, expected) =>
    expect(engagementScore(props)).toBe(expected),
  );

  it.each([
    [{ jobtitle: "Staff Engineer" }, ["is_developer_title"]],
    [{ jobtitle: "Head of Engineering" }, ["is_developer_title"]],
    [
      { recent_conversion_event_name: "Technical White Paper" },
      ["downloaded_technical_whitepaper"],
    ],
    [{ recent_conversion_event_name: "White_Paper: Edge" }, ["downloaded_technical_whitepaper"]],
    [{ recent_conversion_event_name: "Whiteboard paper" }, []],
    // HubSpot sometimes records a URL without its scheme, which the URL parser rejects.
    [{ hs_analytics_first_url: "www.example.com/Pricing?plan=team" }, ["visited_pricing_page"]],
    [{ hs_analytics_first_url: "www.example.com/blog?ref=/pricing" }, []],
    [{ hs_analytics_first_url: "www.example.com/blog#/pricing" }, []],
    [{ hs_analytics_last_url: "/pricing" }, ["visited_pricing_page"]],
  ])("criteriaMet %j → %j", (props, expected) => expect(criteriaMet(props)).toEqual(expected));
});

describe("the Salesforce Lead (mapping version 1)", () => {
  it("maps the MQL onto Lead fields keyed by the HubSpot contact id", () => {
    const mql = toMql("62515", "101", good, company);
    expect(
      toLeadFields(DEFAULT_MAPPING, { contactId: "101", mql, contact: good, company }),
    ).toEqual({
      HubSpot_Contact_Id__c: "101",
      FirstName: "Ada",
      LastName: "Lovelace",
      Email: "ada@analytical.io",
      Company: "Analytical Engines",
      Title: "Staff Software Engineer",
      Industry: "COMPUTER_SOFTWARE",
      NumberOfEmployees: 120,
      LeadSource: "HubSpot: organic_search",
      Engagement_Score__c: 72,
      Qualification_Criteria__c: "visited_pricing_page;is_developer_title",
    });
  });

  it("translates Salesforce refusals", () => {
    expect(describeSalesforceRefusal("DUPLICATES_DETECTED", "Use one of these records?")).toMatch(
      /^Salesforce already has a lead with this email address/,
    );
    expect(
      describeSalesforceRefusal("STRING_TOO_LONG", "Last Name: data value too large", ["LastName"]),
    ).toContain("(field: LastName)");
  });
});

describe("coalesceByContact", () => {
  const ev = (contactId: string, type: any, occurredAt: number, eventId = String(occurredAt)) => ({
    key: `p:${eventId}`,
    portalId: "p",
    eventId,
    type,
    contactId,
    occurredAt,
    receivedAt: 0,
  });

  it("orders by occurredAt, creation first on ties, and lets the latest state win", () => {
    const work = coalesceByContact([
      ev("1", "contact.propertyChange", 20, "b"),
      ev("1", "contact.creation", 20, "a"),
      ev("2", "contact.creation", 5),
      ev("2", "contact.deletion", 9),
      ev("3", "contact.deletion", 1),
      ev("3", "contact.restore", 2),
    ]);
    expect(work.get("1")).toMatchObject({
      action: "judge",
      firstOccurredAt: 20,
      keys: ["p:a", "p:b"],
    });
    expect(work.get("2")?.action).toBe("delete");
    expect(work.get("3")?.action).toBe("judge");
  });

  it("lets privacy deletion win over anything after it", () => {
    const work = coalesceByContact([
      ev("1", "contact.privacyDeletion", 1),
      ev("1", "contact.propertyChange", 2),
    ]);
    expect(work.get("1")?.action).toBe("purge");
  });
});

describe("retryAfterMs", () => {
  it("waits what Retry-After says, else a share of HubSpot's rolling window, jittered", () => {
    expect(retryAfterMs({ "Retry-After": "3" })).toBe(3_000);
    for (let i = 0; i < 20; i++) {
      const ms = retryAfterMs({ "x-hubspot-ratelimit-interval-milliseconds": "10000" });
      expect(ms).toBeGreaterThanOrEqual(1_250);
      expect(ms).toBeLessThanOrEqual(3_750);
      const fallback = retryAfterMs({});
      expect(fallback).toBeGreaterThanOrEqual(500);
      expect(fallback).toBeLessThanOrEqual(1_500);
    }
  });
});
