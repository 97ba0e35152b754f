-- After the handoff: sales' side of each lead, pulled from Salesforce into the same mirror the
-- nightly job reads, and what HubSpot has been told of it (workers/outcomes, docs/outcomes.md).

-- Every Lead Leadbridge handed off (HubSpot_Contact_Id__c set), as the last pull saw it.
-- sf_lead_conversions stays the nightly's view of the converted ones; both come from one pull.
CREATE TABLE sf_leads (
  id TEXT PRIMARY KEY,
  hubspot_contact_id TEXT,
  status TEXT,
  -- Sales' reason for a refusal: the configured Lead field (default Disqualification_Reason__c).
  disqualification_reason TEXT,
  is_converted INTEGER NOT NULL DEFAULT 0,
  converted_contact_id TEXT,
  converted_account_id TEXT,
  converted_opportunity_id TEXT,
  lead_source TEXT,
  -- When a pull first saw the Lead out of its open status: sales' first touch (ms; null while
  -- untouched). Set once.
  first_touched_at INTEGER,
  modstamp TEXT NOT NULL
);
CREATE INDEX sf_leads_contact ON sf_leads (hubspot_contact_id);
CREATE INDEX sf_leads_opportunity ON sf_leads (converted_opportunity_id);

-- What a pull changed that has not been folded in yet, written in the same transaction as the
-- pulled page and its cursor, so a crash between the pull and the work loses nothing. The 5-minute
-- outcome sync pulls Leads and Opportunities too, so the nightly job cannot learn it from its own
-- pull. kind 'day' (a day whose Salesforce aggregates change) and 'opportunity' (a deal whose
-- closing day must be worked out again) are the nightly's; 'outcome_lead' (a Lead id) and
-- 'outcome_opportunity' (an Opportunity id) are Leads whose sales outcome must be derived again.
-- at: when a pull last marked it (ms); a consumer deletes only rows marked no later than it read.
CREATE TABLE sf_pending (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (kind, key)
);

-- One outcome sync at a time (the 5-minute cron and POST /admin/outcomes/run): a run holds the row
-- until it ends or the lease expires (ms), whichever comes first.
CREATE TABLE sync_leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);

-- Per HubSpot contact with a Salesforce Lead: where sales has it (derived from the mirror) and
-- what HubSpot has been told. version moves on every change of the derived values; the writer
-- records the version it wrote, so a change made while a write is under way is written next.
CREATE TABLE sales_outcomes (
  contact_id TEXT PRIMARY KEY,
  lead_id TEXT NOT NULL,
  -- leadbridge_sales_stage: accepted, sales_rejected, converted, or a sales-process state.
  stage TEXT NOT NULL,
  -- The lifecycle stage sales' progress earns (salesqualifiedlead, opportunity, customer); null
  -- when none. Only ever sent forward; HubSpot keeps a contact that is further on where it is.
  lifecycle TEXT,
  -- Sales' reason for a refusal, as written to leadbridge_sales_feedback ('' when none).
  feedback TEXT NOT NULL DEFAULT '',
  -- The contact's source (hs_analytics_source, lower case) for the report's by-source funnel.
  source TEXT,
  -- Milestones, ms, each set once: sales' first status change, acceptance, refusal, conversion
  -- with an opportunity, a won deal.
  touched_at INTEGER,
  accepted_at INTEGER,
  rejected_at INTEGER,
  opportunity_at INTEGER,
  won_at INTEGER,
  stage_changed_at INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  written_version INTEGER NOT NULL DEFAULT 0,
  written_at INTEGER,
  -- The refusal note owed (its key: lead id and reason) and the one known to be on the timeline.
  note_key TEXT,
  note_written_key TEXT,
  -- When a note was last on its way: a retry looks for it on HubSpot before posting again.
  note_intent_at INTEGER,
  -- Failed writes in a row and the last error; contact_not_found settles a contact HubSpot no
  -- longer has (written, not retried).
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
CREATE INDEX sales_outcomes_pending ON sales_outcomes (stage_changed_at)
  WHERE version > written_version;
CREATE INDEX sales_outcomes_touched ON sales_outcomes (touched_at);
CREATE INDEX sales_outcomes_rejected ON sales_outcomes (rejected_at);
CREATE INDEX sales_outcomes_won ON sales_outcomes (won_at);

-- The Lead pull now takes every handed-off Lead, not only converted ones: pull them all once.
DELETE FROM sf_cursors WHERE object = 'Lead';
