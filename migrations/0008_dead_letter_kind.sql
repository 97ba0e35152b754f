-- A dead letter's kind in a column of its own (DeadLetterKind in shared/contracts/outcomes.ts).
-- Before, it was only the text before the reason's first colon ("salesforce_unavailable: ...");
-- existing rows get it from there: an error kind, invalid_message, or retries_exhausted.
ALTER TABLE dead_letters ADD COLUMN kind TEXT NOT NULL DEFAULT 'retries_exhausted';

UPDATE dead_letters SET kind = CASE
  WHEN substr(reason, 1, 16) = 'not a lead event' THEN 'invalid_message'
  WHEN substr(reason, 1, instr(reason, ':') - 1) IN (
    'salesforce_budget', 'salesforce_limit', 'salesforce_unavailable', 'salesforce_transient',
    'hubspot_rate_limited', 'hubspot_unavailable', 'hubspot_error', 'unexpected'
  ) THEN substr(reason, 1, instr(reason, ':') - 1)
  WHEN instr(reason, ':') > 1 AND substr(reason, 1, 17) <> 'retries exhausted' THEN 'unexpected'
  ELSE 'retries_exhausted'
END;
