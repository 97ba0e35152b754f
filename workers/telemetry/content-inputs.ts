import { dayRange } from "../../shared/days";
import { listVersions } from "../../shared/db/collateral";
import { type DirectOpportunityGroup, type LeadOriginGroup, urlGlob } from "./content-usage";

// Grouped in D1 by day and origin, so the report reads a row per kind of arrival, not per lead:
// a first URL comes back as the registry's URL patterns it matches (a JSON list), never itself.
const LEADS_SQL = `SELECT day, source, conversion_event,
    (SELECT json_group_array(p.value) FROM json_each(?3) p WHERE lower(g.first_url) GLOB p.value) AS url_patterns,
    SUM(leads) AS leads, SUM(opportunities) AS opportunities, SUM(closed) AS closed, SUM(wins) AS wins
  FROM (
    SELECT date(l.first_event_at / 1000, 'unixepoch') AS day, l.source, l.conversion_event, l.first_url,
      COUNT(DISTINCT l.contact_id) AS leads,
      COUNT(o.id) AS opportunities,
      COALESCE(SUM(o.is_closed = 1 AND o.closed_day <= ?1), 0) AS closed,
      COALESCE(SUM(o.is_won = 1 AND o.closed_day <= ?1), 0) AS wins
    FROM leads l
    LEFT JOIN sf_lead_conversions c ON c.hubspot_contact_id = l.contact_id
    LEFT JOIN sf_opportunities o ON o.id = c.opportunity_id AND o.created_day <= ?1
    WHERE l.first_event_at < ?2
    GROUP BY day, l.source, l.conversion_event, l.first_url
  ) g
  GROUP BY day, source, conversion_event, url_patterns`;

const DIRECT_SQL = `SELECT o.created_day AS day, o.lead_source, COUNT(*) AS opportunities,
    COALESCE(SUM(o.is_closed = 1 AND o.closed_day <= ?1), 0) AS closed,
    COALESCE(SUM(o.is_won = 1 AND o.closed_day <= ?1), 0) AS wins
  FROM sf_opportunities o
  WHERE o.created_day <= ?1 AND NOT EXISTS (
    SELECT 1 FROM sf_lead_conversions c JOIN leads l ON l.contact_id = c.hubspot_contact_id
    WHERE c.opportunity_id = o.id)
  GROUP BY o.created_day, o.lead_source`;

/** What content usage is computed from, to the end of the report day (docs/report.md). */
export async function readContentInputs(db: D1Database, date: string) {
  const { end } = dayRange(date);
  const versions = await listVersions(db);
  const patterns = [...new Set(versions.flatMap((v) => v.attribution.urlPatterns.map(urlGlob)))];
  const [leads, direct] = await Promise.all([
    db.prepare(LEADS_SQL).bind(date, end, JSON.stringify(patterns)).all<LeadOriginGroup>(),
    db.prepare(DIRECT_SQL).bind(date).all<DirectOpportunityGroup>(),
  ]);
  return { versions, leads: leads.results, direct: direct.results };
}
