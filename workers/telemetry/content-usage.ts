import { compareVersions } from "../../shared/contracts/collateral";
import type { FunnelReport } from "../../shared/contracts/report";
import { dayRange } from "../../shared/days";
import type { AssetVersion } from "../../shared/db/collateral";
import { normalizeSource } from "./facts";

/** Leads that arrived on one day with the same source, conversion and first URL (to date). */
export interface LeadOriginGroup {
  day: string;
  source: string | null;
  conversion_event: string | null;
  /** The URL patterns (as urlGlob spells them) their first URL matches, a JSON list. */
  url_patterns: string;
  leads: number;
  /** Their opportunities (Salesforce conversions), those closed and those won by the report day. */
  opportunities: number;
  closed: number;
  wins: number;
}

/** Opportunities no Leadbridge lead converted into, by their LeadSource and creation day. */
export interface DirectOpportunityGroup {
  day: string;
  lead_source: string | null;
  opportunities: number;
  closed: number;
  wins: number;
}

type Counts = { opportunities: number; closed: number; wins: number };
/** A report row as it is counted: with its closed opportunities, the win rate's denominator. */
type Usage = FunnelReport["contentUsage"][number] & { closed: number };

/**
 * Content usage per asset version, to date. A lead counts for the asset whose version in force
 * at the end of the day it arrived (published then, not archived yet; the highest such version)
 * names its conversion event or form; else whose URL pattern its first URL matches; else whose
 * lead source is its source. Its opportunities and wins follow it. Opportunities without a
 * Leadbridge lead fall back to their LeadSource. Pure; ties go to the first asset id.
 */
export function contentUsage(
  versions: AssetVersion[],
  leads: LeadOriginGroup[],
  direct: DirectOpportunityGroup[],
): FunnelReport["contentUsage"] {
  const assets = new Map<string, AssetVersion[]>();
  for (const v of versions) assets.set(v.assetId, [...(assets.get(v.assetId) ?? []), v]);
  const ids = [...assets.keys()].sort();
  const rows = new Map<string, Usage>();
  for (const v of versions)
    if (v.publishedAt !== null) rows.set(key(v), { ...describe(v), ...ZERO, winRate: null });

  const inForceCache = new Map<string, AssetVersion[]>();
  const inForce = (day: string) => {
    let held = inForceCache.get(day);
    if (!held) {
      const at = dayRange(day).end - 1;
      held = ids.flatMap((id) => {
        const live = assets.get(id)!.filter((v) => liveAt(v, at));
        live.sort((a, b) => compareVersions(b.version, a.version));
        return live.slice(0, 1);
      });
      inForceCache.set(day, held);
    }
    return held;
  };
  const credit = (v: AssetVersion | undefined, g: Counts, leadCount: number) => {
    if (!v) return;
    const row = rows.get(key(v))!;
    row.leads += leadCount;
    row.opportunities += g.opportunities;
    row.wins += g.wins;
    row.closed += g.closed;
  };

  for (const g of leads) {
    const live = inForce(g.day);
    const event = g.conversion_event?.trim().toLowerCase();
    const matched = new Set(JSON.parse(g.url_patterns) as string[]);
    credit(
      (event
        ? live.find((v) => v.attribution.conversionEvents.some((e) => e.toLowerCase() === event))
        : undefined) ??
        live.find((v) => v.attribution.urlPatterns.some((p) => matched.has(urlGlob(p)))) ??
        bySource(live, normalizeSource(g.source)),
      g,
      g.leads,
    );
  }
  for (const g of direct) credit(bySource(inForce(g.day), normalizeSource(g.lead_source)), g, 0);

  return [...rows.values()].map(({ closed, ...r }) => ({
    ...r,
    winRate: closed > 0 ? r.wins / closed : null,
  }));
}

const ZERO = { leads: 0, opportunities: 0, wins: 0, closed: 0 };
const key = (v: AssetVersion) => `${v.assetId}@${v.version}`;

const liveAt = (v: AssetVersion, at: number) =>
  v.publishedAt !== null && v.publishedAt <= at && (v.archivedAt === null || v.archivedAt > at);

const bySource = (live: AssetVersion[], source: string) =>
  live.find(
    (v) =>
      v.attribution.leadSource !== null && normalizeSource(v.attribution.leadSource) === source,
  );

/**
 * A URL pattern as SQLite's GLOB reads it against a lower-cased first URL: `*` stands for
 * anything, the rest is literal (a `[` escaped), case and the query string ignored.
 */
export const urlGlob = (pattern: string) =>
  pattern
    .replace(/[?#].*$/s, "")
    .toLowerCase()
    .replace(/\[/g, "[[]");

function describe(v: AssetVersion) {
  return {
    assetId: v.assetId,
    type: v.type,
    title: v.title,
    version: v.version,
    status: v.status,
    tags: v.tags,
    targetAudience: v.targetAudience,
    url: v.url,
    leadSource: v.attribution.leadSource,
    conversionEvents: v.attribution.conversionEvents,
    urlPatterns: v.attribution.urlPatterns,
  };
}
