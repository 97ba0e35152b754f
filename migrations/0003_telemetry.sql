-- Nightly funnel telemetry: a slim Salesforce mirror kept current by an incremental pull,
-- per-day aggregates (so a night's work follows the day's changes), and the reports.

-- Report settings as JSON values; a missing key means the default in code
-- (stage_map: Salesforce StageName → sales-process state; ramp_quota_share: 0.8).
CREATE TABLE telemetry_config (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Where the last pull of each Salesforce object stopped (SystemModstamp or CreatedDate, ISO).
CREATE TABLE sf_cursors (
  object TEXT PRIMARY KEY,
  cursor TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE sf_opportunities (
  id TEXT PRIMARY KEY,
  owner_id TEXT,
  stage_name TEXT NOT NULL,
  amount REAL,
  lead_source TEXT,
  is_closed INTEGER NOT NULL,
  is_won INTEGER NOT NULL,
  created_day TEXT NOT NULL,
  -- Day the deal entered its final closed stage (from its history); null while open.
  closed_day TEXT,
  modstamp TEXT NOT NULL
);
CREATE INDEX sf_opportunities_closed ON sf_opportunities (closed_day);
CREATE INDEX sf_opportunities_created ON sf_opportunities (created_day);

CREATE TABLE sf_opportunity_history (
  id TEXT PRIMARY KEY,
  opportunity_id TEXT NOT NULL,
  stage_name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  day TEXT NOT NULL
);
CREATE INDEX sf_opportunity_history_opp ON sf_opportunity_history (opportunity_id, created_at);
CREATE INDEX sf_opportunity_history_day ON sf_opportunity_history (day);

CREATE TABLE sf_stages (
  name TEXT PRIMARY KEY,
  is_closed INTEGER NOT NULL,
  is_won INTEGER NOT NULL,
  sort_order INTEGER,
  is_active INTEGER NOT NULL
);

-- Sales reps: the display name is shown in the report; nothing else personal is kept.
CREATE TABLE sf_users (
  id TEXT PRIMARY KEY,
  username TEXT,
  name TEXT,
  start_date TEXT,
  is_active INTEGER NOT NULL
);

CREATE TABLE sf_lead_conversions (
  lead_id TEXT PRIMARY KEY,
  hubspot_contact_id TEXT,
  opportunity_id TEXT,
  lead_source TEXT,
  converted_day TEXT NOT NULL
);
CREATE INDEX sf_lead_conversions_day ON sf_lead_conversions (converted_day);

-- Per-day aggregates: metric names start with "lead." (D1 leads and audit) or "sf." (the
-- mirror); dim is a stage, source, owner id or reason code, '' when none.
CREATE TABLE telemetry_daily (
  day TEXT NOT NULL,
  metric TEXT NOT NULL,
  dim TEXT NOT NULL DEFAULT '',
  value REAL NOT NULL,
  PRIMARY KEY (day, metric, dim)
);

CREATE TABLE stage_jump_findings (
  day TEXT NOT NULL,
  opportunity_id TEXT NOT NULL,
  at TEXT NOT NULL,
  from_stage TEXT NOT NULL,
  to_stage TEXT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (day, opportunity_id, at)
);

-- One report per day (history); the newest is also in KV under report:funnel:latest.
CREATE TABLE funnel_reports (
  day TEXT PRIMARY KEY,
  generated_at TEXT NOT NULL,
  report TEXT NOT NULL
);

-- Collateral assets with the playbook's metadata; lead_source ties an asset to the leads
-- (HubSpot hs_analytics_source, lower case) and opportunities (LeadSource) it brings in.
CREATE TABLE collateral_assets (
  asset_id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  title TEXT NOT NULL,
  version TEXT NOT NULL,
  status TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',
  target_audience TEXT NOT NULL,
  url TEXT NOT NULL,
  lead_source TEXT NOT NULL
);
INSERT INTO collateral_assets VALUES
  ('asset-whitepaper-platform', 'whitepaper', 'Platform Engineering at Scale', '2.1', 'published', '["technical","platform"]', 'engineering leaders', 'https://leadbridge.example/assets/platform-whitepaper.pdf', 'organic_search'),
  ('asset-pricing-calculator', 'tool', 'Pricing Calculator', '1.4', 'published', '["pricing","roi"]', 'economic buyers', 'https://leadbridge.example/pricing/calculator', 'paid_search'),
  ('asset-webinar-devex', 'webinar', 'Developer Experience Webinar', '1.0', 'published', '["developer","demo"]', 'developers', 'https://leadbridge.example/webinars/devex', 'hubspot'),
  ('asset-case-study-acme', 'case_study', 'Acme Robotics Case Study', '1.2', 'published', '["manufacturing","proof"]', 'operations managers', 'https://leadbridge.example/customers/acme', 'web'),
  ('asset-partner-battlecard', 'battlecard', 'Partner Battlecard', '3.0', 'draft', '["partner","competitive"]', 'channel partners', 'https://leadbridge.example/partners/battlecard', 'partner_referral');

-- Monthly quota per owner: owner is a Salesforce User Id or Username; month '*' is the
-- owner's standing monthly quota, a YYYY-MM row overrides it for that month.
CREATE TABLE quotas (
  owner TEXT NOT NULL,
  month TEXT NOT NULL,
  amount REAL NOT NULL,
  PRIMARY KEY (owner, month)
);
INSERT INTO quotas VALUES
  ('avery.chen@leadbridge.sandbox', '*', 50000),
  ('jordan.patel@leadbridge.sandbox', '*', 40000),
  ('sam.okafor@leadbridge.sandbox', '*', 60000),
  ('riley.novak@leadbridge.sandbox', '*', 40000),
  ('morgan.silva@leadbridge.sandbox', '*', 30000);

-- The nightly job reads a day of first events and handoffs without scanning every lead.
CREATE INDEX leads_first_event ON leads (first_event_at);
CREATE INDEX leads_handed_off ON leads (handed_off_at);
