-- A handoff is a fact (docs/handoff.md). A handed-off contact that fails the rules in force
-- stays handed off; the reason codes it fails them for (JSON array) are kept here, NULL when it
-- meets them. The version that judged it is rules_version.
ALTER TABLE leads ADD COLUMN no_longer_qualifies TEXT;
-- How the contact reached its first handoff (LEAD_ORIGINS: webhook, backfill, resync); NULL for
-- handoffs made before this column, all of which came from webhook events or resyncs.
ALTER TABLE leads ADD COLUMN handoff_origin TEXT;
-- The contact's Lead was converted in Salesforce: when Leadbridge learnt it, and what the Lead
-- became (NULL when Salesforce could not be asked). Nothing is pushed to a converted Lead.
ALTER TABLE leads ADD COLUMN converted_at INTEGER;
ALTER TABLE leads ADD COLUMN converted_contact_id TEXT;
ALTER TABLE leads ADD COLUMN converted_account_id TEXT;
ALTER TABLE leads ADD COLUMN converted_opportunity_id TEXT;
