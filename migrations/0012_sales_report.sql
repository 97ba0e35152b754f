-- The report's sales half (workers/telemetry/sales-days.ts) reads sales_outcomes by time only:
-- the rows whose milestones fall on a day (touched_at, rejected_at and won_at are indexed in
-- 0010), and the rows whose stage moved since the report day began.
CREATE INDEX sales_outcomes_accepted ON sales_outcomes (accepted_at);
CREATE INDEX sales_outcomes_opportunity ON sales_outcomes (opportunity_at);
CREATE INDEX sales_outcomes_stage_changed ON sales_outcomes (stage_changed_at);
