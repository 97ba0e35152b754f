import { describe, expect, it } from "vitest";
import { ReportSchema } from "../../shared/contracts/report";
import { DEFAULT_STAGE_MAP } from "../../shared/sales-process";
import { buildReport, type ReportInputs } from "../../workers/telemetry/build-report";
import { type MetricRow, normalizeSource, percentile } from "../../workers/telemetry/facts";
import { leadFacts } from "../../workers/telemetry/lead-facts";
import {
  type QuotaRow,
  quotaAttainment,
  type Rep,
  timeToRamp,
} from "../../workers/telemetry/quota";
import {
  closedDayOf,
  closedDealFacts,
  closedStageTest,
  type HistoryRow,
  type OpportunityRow,
  stageJumpFindings,
  stageReachFacts,
} from "../../workers/telemetry/sales-facts";

// A hand-worked fixture: every expected number below was computed on paper from these rows.

const T = (iso: string) => Date.parse(iso);
const isClosed = closedStageTest([], DEFAULT_STAGE_MAP);

const opp = (
  id: string,
  won: boolean | null,
  closedDay: string | null,
  extra: Partial<OpportunityRow> = {},
): OpportunityRow => ({
  id,
  owner_id: "005A",
  stage_name: won === null ? "Proposal/Price Quote" : won ? "Closed Won" : "Closed Lost",
  amount: 1000,
  lead_source: "Web",
  is_closed: won === null ? 0 : 1,
  is_won: won ? 1 : 0,
  created_day: "2026-03-01",
  closed_day: closedDay,
  ...extra,
});
const hist = (id: string, stages: [string, string][]): HistoryRow[] =>
  stages.map(([stage_name, at]) => ({ opportunity_id: id, stage_name, created_at: T(at) }));

// A won via Qualification and Needs Analysis (then straight to Closed Won: a skip); B lost at
// Qualification; C lost at Prospecting; D still open, it jumped from Needs Analysis to Proposal.
const HISTORY = {
  A: hist("A", [
    ["Prospecting", "2026-03-01T10:00:00Z"],
    ["Qualification", "2026-03-03T10:00:00Z"],
    ["Needs Analysis", "2026-03-05T10:00:00Z"],
    ["Closed Won", "2026-03-10T10:00:00Z"],
  ]),
  B: hist("B", [
    ["Prospecting", "2026-03-01T11:00:00Z"],
    ["Qualification", "2026-03-04T10:00:00Z"],
    ["Closed Lost", "2026-03-10T12:00:00Z"],
  ]),
  C: hist("C", [
    ["Prospecting", "2026-03-02T10:00:00Z"],
    ["Closed Lost", "2026-03-11T10:00:00Z"],
  ]),
  D: hist("D", [
    ["Prospecting", "2026-03-02T10:00:00Z"],
    ["Qualification", "2026-03-06T10:00:00Z"],
    ["Needs Analysis", "2026-03-07T10:00:00Z"],
    ["Proposal/Price Quote", "2026-03-11T09:00:00Z"],
  ]),
};
const DEALS = [
  {
    opp: opp("A", true, "2026-03-10", { amount: 30_000, lead_source: "HubSpot: organic_search" }),
    history: HISTORY.A,
  },
  { opp: opp("B", false, "2026-03-10"), history: HISTORY.B },
  {
    opp: opp("C", false, "2026-03-11", { lead_source: "HubSpot: organic_search" }),
    history: HISTORY.C,
  },
];
const ALL_HISTORY = Object.values(HISTORY).flat();

describe("speed-to-lead percentiles (nearest rank)", () => {
  it("takes p50, p95 and max of five latencies", () => {
    const rows = leadFacts({
      day: "2026-03-10",
      webhookEvents: 9,
      judgements: [],
      sourceOf: new Map(),
      newLeadSources: [],
      handoffs: [4000, 1000, 60_000, 3000, 2000].map((ms) => ({
        first_event_at: 1_000_000,
        handed_off_at: 1_000_000 + ms,
      })),
    });
    const get = (metric: string) => rows.find((r) => r.metric === metric)?.value;
    expect([
      get("lead.speed_p50_ms"),
      get("lead.speed_p95_ms"),
      get("lead.speed_max_ms"),
      get("lead.speed_count"),
    ]).toEqual([3000, 60_000, 60_000, 5]);
  });

  it("on 1..20 seconds gives the 10th and 19th values", () => {
    const sorted = Array.from({ length: 20 }, (_, i) => (i + 1) * 1000);
    expect([percentile(sorted, 0.5), percentile(sorted, 0.95), percentile([], 0.5)]).toEqual([
      10_000,
      19_000,
      null,
    ]);
  });
});

describe("lead facts", () => {
  it("counts a contact judged twice once, with its last verdict, and its rejection reasons", () => {
    const rows = leadFacts({
      day: "2026-03-10",
      webhookEvents: 4,
      handoffs: [],
      newLeadSources: ["ORGANIC_SEARCH", null],
      sourceOf: new Map([
        ["1", "organic_search"],
        ["2", "paid_search"],
        ["3", "paid_search"],
      ]),
      judgements: [
        {
          contact_id: "1",
          step: "refused",
          detail: JSON.stringify({ reasons: ["missing_company"] }),
        },
        {
          contact_id: "2",
          step: "refused",
          detail: JSON.stringify({ reasons: ["free_email_domain", "engagement_below_threshold"] }),
        },
        { contact_id: "1", step: "qualified", detail: "{}" },
        {
          contact_id: "3",
          step: "refused",
          detail: JSON.stringify({ reasons: ["free_email_domain"] }),
        },
      ],
    });
    const pick = (metric: string) =>
      Object.fromEntries(rows.filter((r) => r.metric === metric).map((r) => [r.dim, r.value]));
    expect(pick("lead.judged")).toEqual({ "": 3 });
    expect(pick("lead.qualified")).toEqual({ "": 1 });
    expect(pick("lead.rejected")).toEqual({ "": 2 });
    expect(pick("lead.reason")).toEqual({ free_email_domain: 2, engagement_below_threshold: 1 });
    expect(pick("lead.rejected_by_source")).toEqual({ paid_search: 2 });
    expect(pick("lead.new_by_source")).toEqual({ organic_search: 1, unknown: 1 });
  });

  it("counts judgements and acceptances by the rules version that made them", () => {
    const verdict = (contact_id: string, step: "qualified" | "refused", rulesVersion?: number) => ({
      contact_id,
      step,
      detail: JSON.stringify({
        rulesVersion,
        reasons: step === "refused" ? ["missing_company"] : [],
      }),
    });
    const rows = leadFacts({
      day: "2026-03-10",
      webhookEvents: 0,
      handoffs: [],
      newLeadSources: [],
      sourceOf: new Map(),
      // 1 is judged again under version 4: its last verdict counts. 5 predates versions in lines.
      judgements: [
        verdict("1", "refused", 3),
        verdict("2", "qualified", 3),
        verdict("3", "refused", 3),
        verdict("1", "qualified", 4),
        verdict("4", "refused", 4),
        verdict("5", "qualified"),
      ],
    });
    const pick = (metric: string) =>
      Object.fromEntries(rows.filter((r) => r.metric === metric).map((r) => [r.dim, r.value]));
    expect(pick("lead.judged_by_rules")).toEqual({ "3": 2, "4": 2 });
    expect(pick("lead.qualified_by_rules")).toEqual({ "3": 1, "4": 1 });
  });

  it("spells lead sources the same on both sides", () => {
    expect(
      ["HubSpot: organic_search", "ORGANIC_SEARCH", "Partner Referral", null].map(normalizeSource),
    ).toEqual(["organic_search", "organic_search", "partner_referral", "unknown"]);
  });
});

describe("sales facts", () => {
  it("dates a closing by the first row of the last closed run", () => {
    const reopened = hist("R", [
      ["Prospecting", "2026-03-01T10:00:00Z"],
      ["Closed Lost", "2026-03-02T10:00:00Z"],
      ["Qualification", "2026-03-03T10:00:00Z"],
      ["Closed Won", "2026-03-08T23:00:00Z"],
      ["Closed Won", "2026-03-09T10:00:00Z"],
    ]);
    expect(closedDayOf({ is_closed: 1, created_day: "2026-03-01" }, reopened, isClosed)).toBe(
      "2026-03-08",
    );
    expect(closedDayOf({ is_closed: 0, created_day: "2026-03-01" }, reopened, isClosed)).toBeNull();
  });

  it("finds skipped states (A won straight from Discovery, D skipped TechnicalDemo) and a reopened deal", () => {
    const reopened = hist("R", [
      ["Negotiation/Review", "2026-03-01T10:00:00Z"],
      ["Closed Won", "2026-03-02T10:00:00Z"],
      ["Negotiation/Review", "2026-03-03T10:00:00Z"],
    ]);
    const { findings, unmapped } = stageJumpFindings(
      [...ALL_HISTORY, ...reopened, ...hist("X", [["Custom Stage", "2026-03-01T00:00:00Z"]])],
      DEFAULT_STAGE_MAP,
    );
    expect(
      findings.map((f) => [f.opportunity_id, f.from_stage, f.to_stage, f.reason, f.day]),
    ).toEqual([
      ["A", "Needs Analysis", "Closed Won", "skipped_states", "2026-03-10"],
      ["D", "Needs Analysis", "Proposal/Price Quote", "skipped_states", "2026-03-11"],
      ["R", "Closed Won", "Negotiation/Review", "reopened_closed_deal", "2026-03-03"],
    ]);
    expect([...unmapped]).toEqual(["Custom Stage"]);
  });
});

const rep = (id: string, start: string | null, username: string | null = null): Rep => ({
  id,
  username,
  name: `Rep ${id}`,
  start_date: start,
});
const QUOTAS: QuotaRow[] = [
  { owner: "005A", month: "*", amount: 50_000 },
  { owner: "005A", month: "2026-03", amount: 40_000 },
  { owner: "b@example.test", month: "*", amount: 30_000 },
];
const WON = [
  { day: "2026-03-05", owner: "005A", amount: 10_000 },
  { day: "2026-03-20", owner: "005A", amount: 25_000 },
  { day: "2026-04-02", owner: "005A", amount: 30_000 },
  { day: "2026-04-10", owner: "005A", amount: 20_000 },
  { day: "2026-02-20", owner: "005B", amount: 50_000 },
  { day: "2026-03-15", owner: "005B", amount: 20_000 },
  { day: "2026-04-05", owner: "005B", amount: 25_000 },
  { day: "2026-04-07", owner: "005C", amount: 5_000 },
];
const REPS = [
  rep("005A", "2026-02-10"),
  rep("005B", "2026-03-01", "b@example.test"),
  rep("005C", "2026-01-01"),
  rep("005D", null),
];

describe("quota attainment and ramp", () => {
  it("sets month-to-date closed-won against the month's quota (a month row beats the standing one)", () => {
    const april = quotaAttainment("2026-04-15", REPS, QUOTAS, WON);
    expect(april.map((r) => [r.ownerId, r.quota, r.closedWonAmount, r.attainment])).toEqual([
      ["005A", 50_000, 50_000, 1],
      ["005B", 30_000, 25_000, 25_000 / 30_000],
      ["005C", null, 5_000, null],
    ]);
    const march = quotaAttainment("2026-03-31", REPS, QUOTAS, WON);
    expect(march.find((r) => r.ownerId === "005A")).toMatchObject({
      quota: 40_000,
      closedWonAmount: 35_000,
      attainment: 0.875,
    });
  });

  it("counts days from start to the day a month's running amount reached 80% of quota", () => {
    const ramp = timeToRamp("2026-04-15", REPS, QUOTAS, WON, 0.8);
    // A: March needs 32,000 → 35,000 on 03-20, 38 days after 02-10. B: the February win predates
    // the start; March 20,000 < 24,000; April 25,000 on 04-05, 35 days after 03-01. C has no quota.
    expect(ramp.map((r) => [r.ownerId, r.rampedMonth, r.rampedOn, r.daysToRamp])).toEqual([
      ["005A", "2026-03", "2026-03-20", 38],
      ["005B", "2026-04", "2026-04-05", 35],
    ]);
    expect(timeToRamp("2026-03-19", REPS, QUOTAS, WON, 0.8).map((r) => r.daysToRamp)).toEqual([
      null,
      null,
    ]);
  });
});

describe("the report", () => {
  const sum = (rows: MetricRow[]) => {
    const out = new Map<string, MetricRow>();
    for (const r of rows) {
      const key = `${r.metric}|${r.dim}`;
      out.set(key, {
        day: "",
        metric: r.metric,
        dim: r.dim,
        value: (out.get(key)?.value ?? 0) + r.value,
      });
    }
    return [...out.values()];
  };
  const facts = [...closedDealFacts(DEALS, isClosed), ...stageReachFacts(ALL_HISTORY, isClosed)];
  const lead = (metric: string, dim: string, value: number, day = "2026-03-11"): MetricRow => ({
    day,
    metric,
    dim,
    value,
  });
  const inputs: ReportInputs = {
    date: "2026-03-11",
    generatedAt: "2026-03-12T02:15:00.000Z",
    today: [
      lead("lead.judged", "", 11),
      lead("lead.qualified", "", 5),
      lead("lead.rejected", "", 6),
      lead("lead.judged_by_source", "organic_search", 4),
      lead("lead.rejected_by_source", "organic_search", 3),
      lead("lead.judged_by_source", "paid_search", 2),
      lead("lead.rejected_by_source", "paid_search", 2),
      lead("lead.judged_by_source", "web", 5),
      lead("lead.rejected_by_source", "web", 1),
      lead("lead.judged_by_rules", "2", 8),
      lead("lead.qualified_by_rules", "2", 2),
      lead("lead.judged_by_rules", "10", 3),
      lead("lead.qualified_by_rules", "10", 3),
      ...facts.filter((f) => f.day === "2026-03-11"),
    ],
    trailing: [
      lead("lead.judged_by_source", "organic_search", 6, "2026-03-05"),
      lead("lead.rejected_by_source", "organic_search", 1, "2026-03-05"),
      lead("lead.judged_by_source", "organic_search", 4, "2026-03-09"),
      lead("lead.rejected_by_source", "organic_search", 1, "2026-03-09"),
      lead("lead.judged_by_source", "web", 10, "2026-03-09"),
      lead("lead.rejected_by_source", "web", 3, "2026-03-09"),
    ],
    cumulative: sum([
      ...facts,
      lead("lead.new_by_source", "organic_search", 7),
      lead("sf.opps_created", "organic_search", 2),
    ]),
    won: [],
    reps: [],
    quotas: [],
    content: {
      versions: [
        {
          assetId: "wp",
          version: "1.0.0",
          type: "whitepaper",
          title: "WP",
          status: "published",
          tags: ["t"],
          targetAudience: "devs",
          url: "https://x.test/wp",
          attribution: { conversionEvents: [], urlPatterns: [], leadSource: "organic_search" },
          createdAt: 0,
          createdBy: "test",
          publishedAt: 0,
          archivedAt: null,
        },
      ],
      // Seven organic_search leads: two became the deals A (won) and C (lost).
      leads: [
        {
          day: "2026-03-01",
          source: "organic_search",
          conversion_event: null,
          url_patterns: "[]",
          leads: 7,
          opportunities: 2,
          closed: 2,
          wins: 1,
        },
      ],
      direct: [],
    },
    stageMap: DEFAULT_STAGE_MAP,
    stageOrder: new Map(Object.keys(DEFAULT_STAGE_MAP).map((s, i) => [s, i + 1])),
    rampShare: 0.8,
    findings: [],
    unmappedStages: [],
  };
  const report = buildReport(inputs);

  it("gives win rate by stage over closed deals that reached it, and where lost deals stopped", () => {
    expect(
      report.winRateByStage.map((s) => [s.stage, s.reached, s.closed, s.won, s.winRate]),
    ).toEqual([
      ["Prospecting", 4, 3, 1, 1 / 3],
      ["Qualification", 3, 2, 1, 0.5],
      ["Needs Analysis", 2, 1, 1, 1],
      ["Proposal/Price Quote", 1, 0, 0, null],
    ]);
    expect(report.lostAtStage).toEqual([
      { stage: "Prospecting", state: "LeadIn", lost: 1 },
      { stage: "Qualification", state: "Discovery", lost: 1 },
    ]);
  });

  it("counts the day's closings, acceptance, and content usage by lead source", () => {
    expect(report.funnel).toMatchObject({ contactsJudged: 11, qualified: 5, won: 0, lost: 1 });
    expect(report.acceptanceRate).toBeCloseTo(5 / 11);
    expect(report.acceptanceByRulesVersion).toEqual([
      { version: 2, judged: 8, qualified: 2, acceptanceRate: 0.25 },
      { version: 10, judged: 3, qualified: 3, acceptanceRate: 1 },
    ]);
    // organic_search: A won and C lost → 1 win of 2 closed.
    expect(report.contentUsage[0]).toMatchObject({
      assetId: "wp",
      leads: 7,
      opportunities: 2,
      wins: 1,
      winRate: 0.5,
      tags: ["t"],
    });
  });

  it("alerts only on a source well above its trailing rate with enough judgements", () => {
    // organic_search: 3/4 = 75% against 2/10 = 20%; paid_search has 2 judgements; web 20% < 30%.
    expect(report.alerts.map((a) => [a.source, a.rate, a.trailingRate])).toEqual([
      ["organic_search", 0.75, 0.2],
    ]);
    expect(() => ReportSchema.parse(report)).not.toThrow();
  });
});
