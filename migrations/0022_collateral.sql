-- Collateral as versioned data (docs/admin.md#collateral): one row per asset version, every
-- version kept; the published one with the highest version is what sales sees. Each version
-- says how a lead is credited to it: the conversion events (or forms) it is, the first-URL
-- patterns that lead to it, and lead_source as the fallback. published_at / archived_at (ms)
-- date when a version was live, so a lead counts for the version in force when it arrived.
CREATE TABLE collateral_versions (
  asset_id TEXT NOT NULL,
  version TEXT NOT NULL,
  type TEXT NOT NULL,
  title TEXT NOT NULL,
  status TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',
  target_audience TEXT NOT NULL,
  url TEXT NOT NULL,
  lead_source TEXT,
  conversion_events TEXT NOT NULL DEFAULT '[]',
  url_patterns TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  published_at INTEGER,
  archived_at INTEGER,
  PRIMARY KEY (asset_id, version)
);

-- What an admin put in collateral_assets stays readable: its rows become versions (a two-part
-- version such as 2.1 reads as 2.1.0), live since forever when they were published. Nothing
-- reads collateral_assets after this; it stays, empty of meaning, so 0013 still applies.
INSERT INTO collateral_versions (asset_id, version, type, title, status, tags, target_audience, url, lead_source, created_at, created_by, published_at, archived_at)
SELECT asset_id,
  CASE WHEN version GLOB '[0-9]*.[0-9]*.[0-9]*' THEN version
       WHEN version GLOB '[0-9]*.[0-9]*' THEN version || '.0'
       WHEN version GLOB '[0-9]*' THEN version || '.0.0'
       ELSE '1.0.0' END,
  type, title,
  CASE WHEN status IN ('draft', 'published', 'archived') THEN status ELSE 'draft' END,
  tags, target_audience, url, lead_source, 0, 'migration 0022',
  CASE WHEN status = 'published' THEN 0 END,
  CASE WHEN status = 'archived' THEN 0 END
FROM collateral_assets;

-- What each lead converted on, for crediting it to collateral: HubSpot's
-- recent_conversion_event_name and hs_analytics_first_url (without its query string).
ALTER TABLE leads ADD COLUMN conversion_event TEXT;
ALTER TABLE leads ADD COLUMN first_url TEXT;

-- The report finds the opportunities no Leadbridge lead converted into by this.
CREATE INDEX IF NOT EXISTS sf_lead_conversions_opportunity ON sf_lead_conversions (opportunity_id);
