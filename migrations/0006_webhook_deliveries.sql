-- Webhook deliveries, counted by the handoff consumer instead of by the webhook itself: the
-- intake answers HubSpot without a D1 write, and a message delivered twice counts once (the
-- insert is ON CONFLICT DO NOTHING, so the trigger fires for new deliveries only).
CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  day TEXT NOT NULL,
  events INTEGER NOT NULL,
  ignored INTEGER NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (received_at);

CREATE TRIGGER webhook_deliveries_count AFTER INSERT ON webhook_deliveries
BEGIN
  INSERT INTO daily_counters (day, name, value) VALUES (NEW.day, 'webhook_events', NEW.events)
    ON CONFLICT (day, name) DO UPDATE SET value = value + excluded.value;
  INSERT INTO daily_counters (day, name, value) SELECT NEW.day, 'webhook_events_ignored', NEW.ignored WHERE NEW.ignored > 0
    ON CONFLICT (day, name) DO UPDATE SET value = value + excluded.value;
END;
