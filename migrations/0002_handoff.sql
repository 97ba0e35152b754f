-- Per-day counters written on the hot path (webhook events) and read by the nightly report.
CREATE TABLE daily_counters (
  day TEXT NOT NULL,
  name TEXT NOT NULL,
  value INTEGER NOT NULL,
  PRIMARY KEY (day, name)
);

-- Hash of the last Lead payload pushed, so an unchanged contact costs no Salesforce call.
ALTER TABLE leads ADD COLUMN push_key TEXT;
-- Contact fields used by reports, without personal data.
ALTER TABLE leads ADD COLUMN criteria TEXT NOT NULL DEFAULT '[]';
