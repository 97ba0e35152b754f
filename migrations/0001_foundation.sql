-- Lead state: one row per HubSpot contact that Leadbridge has seen.
CREATE TABLE leads (
  contact_id TEXT PRIMARY KEY,
  portal_id TEXT NOT NULL,
  lead_id TEXT NOT NULL,
  status TEXT NOT NULL,
  source TEXT,
  email_domain TEXT,
  reasons TEXT NOT NULL DEFAULT '[]',
  rules_version INTEGER,
  engagement_score INTEGER,
  salesforce_lead_id TEXT,
  first_event_at INTEGER,
  last_event_at INTEGER,
  judged_at INTEGER,
  handed_off_at INTEGER,
  feedback_key TEXT,
  merged_into TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);
CREATE INDEX leads_status_updated ON leads (status, updated_at);
CREATE INDEX leads_updated ON leads (updated_at);

-- Audit trail: every step a contact went through, in order.
CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  contact_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  step TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}',
  batch_id TEXT
);
CREATE INDEX audit_contact ON audit (contact_id, id);
CREATE INDEX audit_at ON audit (at);

-- Qualification rules, versioned; the highest version is in force.
CREATE TABLE rules (
  version INTEGER PRIMARY KEY,
  rules TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  note TEXT
);

-- Webhook events already handled (portal + event id), so redeliveries change nothing.
CREATE TABLE seen_events (
  event_key TEXT PRIMARY KEY,
  contact_id TEXT NOT NULL,
  seen_at INTEGER NOT NULL
);
CREATE INDEX seen_events_at ON seen_events (seen_at);

-- Messages that exhausted their retries, kept with the reason for replay.
CREATE TABLE dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL UNIQUE,
  body TEXT NOT NULL,
  reason TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  replayed_at INTEGER
);
CREATE INDEX dead_letters_open ON dead_letters (replayed_at, id);
