-- The outcome sync's write-back (docs/outcomes.md "When HubSpot fails"): a contact HubSpot refuses
-- alone (a 400 for its own values) is not tried again before retry_at (an hour after the first
-- refusal, doubling to a day); a new version (sales changed the Lead) clears it. NULL: no wait.
ALTER TABLE sales_outcomes ADD COLUMN retry_at INTEGER;
