-- Rep start dates set through the admin API (PUT /admin/reps/:userId): each overrides the
-- Salesforce User's Start_Date__c (mirrored into sf_users) for time to ramp (docs/report.md).
-- user_id is the 18-character Salesforce User Id, as sf_users holds it.
CREATE TABLE rep_start_dates (
  user_id TEXT PRIMARY KEY,
  start_date TEXT NOT NULL,
  set_at INTEGER NOT NULL,
  set_by TEXT NOT NULL
);
