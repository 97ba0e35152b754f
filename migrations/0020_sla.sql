-- SLA timers (docs/sla.md): when sales first touched an assigned Lead, and each breach of its pool's
-- SLA with what Leadbridge did about it.

-- Set once by the outcome sync when it first sees the Lead leave its open status (or converted):
-- the SLA consumer skips a touched lead without asking Salesforce, and the report measures speed
-- to first touch from assigned_at.
ALTER TABLE assignments ADD COLUMN first_touch_at INTEGER;

-- One row per breach of a lead (1: the first, 2: the escalation to the pool's manager), written
-- before anything is done about it: a redelivered timer finds the row and only finishes what is
-- left (the reassignment, the alert, the next timer), so a breach never escalates twice and an
-- alert recorded as sent is never sent again.
CREATE TABLE sla_events (
  contact_id TEXT NOT NULL,
  breach INTEGER NOT NULL,
  lead_id TEXT NOT NULL,
  pool TEXT NOT NULL,
  routing_version INTEGER NOT NULL,
  -- When the breach was found, and when the SLA fell due (ms).
  at INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  -- The owner who let it lapse, and who it goes to (null: no reassignment).
  from_owner TEXT,
  to_owner TEXT,
  reassigned_at INTEGER,
  -- Salesforce's code when it refused the reassignment (a converted Lead, an inactive user).
  reassign_error TEXT,
  -- 1 when an alert is owed; alerted_at once the alert URL took it.
  alert INTEGER NOT NULL,
  alerted_at INTEGER,
  alert_attempts INTEGER NOT NULL DEFAULT 0,
  -- Why an owed alert was given up (no alert URL any more, or a day of failures).
  alert_error TEXT,
  -- When the timer of the next breach was sent (the first breach only).
  next_timer_at INTEGER,
  PRIMARY KEY (contact_id, breach)
);
CREATE INDEX sla_events_by_time ON sla_events (at);
