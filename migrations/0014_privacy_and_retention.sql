-- Privacy deletion and retention (docs/handoff.md "Privacy deletion", docs/admin.md "Retention").
-- A privacy deletion finds a contact's rows by its id in every table that holds it: the tables
-- keyed otherwise get an index on the contact id, so a purge reads no whole table.
CREATE INDEX IF NOT EXISTS seen_events_contact ON seen_events (contact_id);
CREATE INDEX IF NOT EXISTS job_contacts_contact ON job_contacts (contact_id);
CREATE INDEX IF NOT EXISTS sf_lead_conversions_contact ON sf_lead_conversions (hubspot_contact_id);
-- The nightly prune finds note intents past their keeping time by age.
CREATE INDEX IF NOT EXISTS note_intents_at ON note_intents (at);
