-- Running totals of the report's "to date" counts (win rate by stage, where lost deals stop,
-- content usage): telemetry_daily summed over every day, kept by triggers in the same
-- statement as each change, so a night reads the totals and the few days after the report
-- day instead of summing all history. The metric list is CUMULATIVE in workers/telemetry/totals.ts.
CREATE TABLE telemetry_totals (
  metric TEXT NOT NULL,
  dim TEXT NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (metric, dim)
);

INSERT INTO telemetry_totals (metric, dim, value)
  SELECT metric, dim, SUM(value) FROM telemetry_daily
  WHERE metric IN ('sf.stage_reached', 'sf.stage_closed', 'sf.stage_won', 'sf.lost_at', 'sf.opps_created', 'sf.opps_closed', 'sf.opps_won', 'lead.new_by_source')
  GROUP BY metric, dim;

CREATE TRIGGER telemetry_totals_on_insert AFTER INSERT ON telemetry_daily
WHEN NEW.metric IN ('sf.stage_reached', 'sf.stage_closed', 'sf.stage_won', 'sf.lost_at', 'sf.opps_created', 'sf.opps_closed', 'sf.opps_won', 'lead.new_by_source')
BEGIN
  INSERT INTO telemetry_totals (metric, dim, value) VALUES (NEW.metric, NEW.dim, NEW.value)
    ON CONFLICT (metric, dim) DO UPDATE SET value = value + excluded.value;
END;

-- A total back at zero means no day has the row any more: it goes, as if never summed.
CREATE TRIGGER telemetry_totals_on_delete AFTER DELETE ON telemetry_daily
WHEN OLD.metric IN ('sf.stage_reached', 'sf.stage_closed', 'sf.stage_won', 'sf.lost_at', 'sf.opps_created', 'sf.opps_closed', 'sf.opps_won', 'lead.new_by_source')
BEGIN
  UPDATE telemetry_totals SET value = value - OLD.value WHERE metric = OLD.metric AND dim = OLD.dim;
  DELETE FROM telemetry_totals WHERE metric = OLD.metric AND dim = OLD.dim AND value = 0;
END;

-- Rows are rewritten with ON CONFLICT DO UPDATE (INSERT OR REPLACE would delete without this firing).
CREATE TRIGGER telemetry_totals_on_update AFTER UPDATE ON telemetry_daily
WHEN OLD.metric IN ('sf.stage_reached', 'sf.stage_closed', 'sf.stage_won', 'sf.lost_at', 'sf.opps_created', 'sf.opps_closed', 'sf.opps_won', 'lead.new_by_source')
  OR NEW.metric IN ('sf.stage_reached', 'sf.stage_closed', 'sf.stage_won', 'sf.lost_at', 'sf.opps_created', 'sf.opps_closed', 'sf.opps_won', 'lead.new_by_source')
BEGIN
  UPDATE telemetry_totals SET value = value - OLD.value WHERE metric = OLD.metric AND dim = OLD.dim;
  INSERT INTO telemetry_totals (metric, dim, value)
    SELECT NEW.metric, NEW.dim, NEW.value
    WHERE NEW.metric IN ('sf.stage_reached', 'sf.stage_closed', 'sf.stage_won', 'sf.lost_at', 'sf.opps_created', 'sf.opps_closed', 'sf.opps_won', 'lead.new_by_source')
    ON CONFLICT (metric, dim) DO UPDATE SET value = value + excluded.value;
  DELETE FROM telemetry_totals WHERE metric IN (OLD.metric, NEW.metric) AND dim IN (OLD.dim, NEW.dim) AND value = 0;
END;

-- Closed-won amounts per owner (quota, ramp) are read by metric without a scan of every row.
CREATE INDEX telemetry_daily_metric_day ON telemetry_daily (metric, day);
