import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { type AssetVersion, insertVersionStatement } from "../../shared/db/collateral";
import { leadOrigin } from "../../workers/handoff/lead-origin";
import { readContentInputs } from "../../workers/telemetry/content-inputs";
import { contentUsage, urlGlob } from "../../workers/telemetry/content-usage";

// Issue 18: content usage per asset version, credited by what each lead converted on. Every
// expected number below was worked out by hand from the rows this file inserts.

const T = (iso: string) => Date.parse(iso);
const DATE = "2026-03-20";

const version = (
  assetId: string,
  v: string,
  attribution: Partial<AssetVersion["attribution"]>,
  publishedAt: number | null,
  archivedAt: number | null = null,
): AssetVersion => ({
  assetId,
  version: v,
  type: "guide",
  title: `${assetId} ${v}`,
  status: publishedAt === null ? "draft" : archivedAt === null ? "published" : "archived",
  tags: [],
  targetAudience: "buyers",
  url: `https://x.test/${assetId}/${v}`,
  attribution: { conversionEvents: [], urlPatterns: [], leadSource: null, ...attribution },
  createdAt: 0,
  createdBy: "test",
  publishedAt,
  archivedAt,
});

const guideRule = { conversionEvents: ["Guide download"], urlPatterns: ["*/guide*"] };
const VERSIONS = [
  version("guide", "1.0.0", guideRule, T("2026-03-01T00:00:00Z")),
  // Published at noon on the 10th: leads from the 10th on are 2.0.0's.
  version("guide", "2.0.0", guideRule, T("2026-03-10T12:00:00Z")),
  version("guide", "2.1.0", guideRule, null),
  version(
    "calc",
    "1.0.0",
    { urlPatterns: ["https://x.test/pricing*"], leadSource: "paid_search" },
    0,
  ),
  version("web", "1.0.0", { leadSource: "web" }, 0),
  // Archived on the 5th: it still takes the organic leads that came before.
  version("old", "1.0.0", { leadSource: "organic_search" }, 0, T("2026-03-05T09:00:00Z")),
];

type Lead = [id: string, at: string, source: string, event: string | null, url: string | null];
const LEADS: Lead[] = [
  // The conversion beats the first URL (calc's) and the source (web's).
  ["L1", "2026-03-05T10:00:00Z", "web", "Guide download", "https://x.test/pricing"],
  ["L2", "2026-03-15T10:00:00Z", "direct_traffic", "guide DOWNLOAD", null],
  ["L3", "2026-03-15T11:00:00Z", "organic_search", null, "https://x.test/pricing/calculator"],
  ["L4", "2026-03-16T10:00:00Z", "web", "Webinar signup", "https://x.test/blog"],
  ["L5", "2026-03-03T10:00:00Z", "organic_search", null, null],
  ["L6", "2026-03-15T12:00:00Z", "organic_search", null, null],
  // After the report day.
  ["L7", "2026-03-21T10:00:00Z", "web", "Guide download", null],
];

type Opp = [
  id: string,
  lead: string | null,
  source: string,
  created: string,
  closed: string | null,
  won: boolean,
];
const OPPS: Opp[] = [
  ["O1", "L1", "Paid Search", "2026-03-06", "2026-03-12", true],
  ["O2", "L2", "Web", "2026-03-16", "2026-03-18", false],
  ["O3", "L3", "Web", "2026-03-16", null, false],
  // No Leadbridge lead: credited by its LeadSource.
  ["O5", null, "Web", "2026-03-10", "2026-03-15", true],
  ["O6", null, "Web", "2026-03-25", null, false],
  // Won after the report day: open on it.
  ["O7", "L5", "Organic", "2026-03-04", "2026-03-22", true],
];

beforeAll(async () => {
  await env.DB.batch([
    env.DB.prepare("DELETE FROM collateral_versions"),
    env.DB.prepare("DELETE FROM leads"),
    env.DB.prepare("DELETE FROM sf_lead_conversions"),
    env.DB.prepare("DELETE FROM sf_opportunities"),
    ...VERSIONS.map((v) => insertVersionStatement(env.DB, v)),
    ...LEADS.map(([id, at, source, event, url]) =>
      env.DB.prepare(
        "INSERT INTO leads (contact_id, portal_id, lead_id, status, source, first_event_at, updated_at, conversion_event, first_url) VALUES (?, 'p', ?, 'handed_off', ?, ?, ?, ?, ?)",
      ).bind(id, `lead-${id}`, source, T(at), T(at), event, url),
    ),
    ...OPPS.flatMap(([id, lead, source, created, closed, won]) => [
      env.DB.prepare(
        "INSERT INTO sf_opportunities (id, owner_id, stage_name, amount, lead_source, is_closed, is_won, created_day, closed_day, modstamp) VALUES (?, '005A', ?, 1000, ?, ?, ?, ?, ?, ?)",
      ).bind(
        id,
        closed ? (won ? "Closed Won" : "Closed Lost") : "Prospecting",
        source,
        closed ? 1 : 0,
        won ? 1 : 0,
        created,
        closed,
        `${created}T00:00:00Z`,
      ),
      ...(lead
        ? [
            env.DB.prepare(
              "INSERT INTO sf_lead_conversions (lead_id, hubspot_contact_id, opportunity_id, lead_source, converted_day) VALUES (?, ?, ?, ?, ?)",
            ).bind(`00Q${id}`, lead, id, source, created),
          ]
        : []),
    ]),
  ]);
});

describe("content usage per asset version", () => {
  it("credits leads, opportunities and wins to the version in force by conversion, first URL, then source", async () => {
    const { versions, leads, direct } = await readContentInputs(env.DB, DATE);
    const usage = contentUsage(versions, leads, direct);
    expect(
      usage.map((u) => [`${u.assetId}@${u.version}`, u.leads, u.opportunities, u.wins, u.winRate]),
    ).toEqual([
      ["calc@1.0.0", 1, 1, 0, null],
      ["guide@2.0.0", 1, 1, 0, 0],
      ["guide@1.0.0", 1, 1, 1, 1],
      // L5 arrived before the archiving; its deal O7 was still open on the report day.
      ["old@1.0.0", 1, 1, 0, null],
      ["web@1.0.0", 1, 1, 1, 1],
    ]);
    expect(usage.find((u) => u.assetId === "calc")).toMatchObject({
      urlPatterns: ["https://x.test/pricing*"],
      leadSource: "paid_search",
    });
  });

  it("keeps what a lead converted on without the first URL's query string", () => {
    expect(
      leadOrigin({
        recent_conversion_event_name: " Guide download ",
        hs_analytics_first_url: "https://x.test/guide?email=a%40b.c#top",
      }),
    ).toEqual({ conversion_event: "Guide download", first_url: "https://x.test/guide" });
    expect(leadOrigin({})).toEqual({ conversion_event: null, first_url: null });
  });

  it("matches a first URL to a pattern in D1: `*` for anything, the rest literal, case ignored", async () => {
    const cases: [pattern: string, url: string, matches: boolean][] = [
      ["*/guide*", "https://x.test/guide/v2", true],
      ["https://X.test/Pricing*", "https://x.test/pricing/calculator", true],
      ["https://x.test/pricing", "https://x.test/pricing/calculator", false],
      ["https://x.test/a.b", "https://x.test/aXb", false],
      ["https://x.test/[v1]/*?utm=1", "https://x.test/[v1]/page", true],
      ["https://x.test/?ref", "https://x.test/a", false],
    ];
    for (const [pattern, url, matches] of cases) {
      const row = await env.DB.prepare("SELECT lower(?) GLOB ? AS m")
        .bind(url, urlGlob(pattern))
        .first<{ m: number }>();
      expect(row?.m === 1, `${pattern} ~ ${url}`).toBe(matches);
    }
  });
});
