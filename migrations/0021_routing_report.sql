-- The nightly report's routing section (docs/report.md#routing) reads the leads first touched on
-- the report day through this index, as it reads assignments (assigned_at) and sla_events (at):
-- a night costs what the day changed, not the whole table.
CREATE INDEX assignments_by_first_touch ON assignments (first_touch_at);
