-- Rules preview (docs/rules.md "Preview"): per contact, the properties its last judgement read,
-- as JSON objects (every asked key present, null when HubSpot had no value; leadbridge_* left
-- out), so a proposed rules change can be judged again without asking HubSpot. The company
-- object carries its hs_object_id. Purged with the contact; pruned nightly after 90 days.
CREATE TABLE judged_snapshots (
  contact_id TEXT PRIMARY KEY,
  judged_at INTEGER NOT NULL,
  rules_version INTEGER NOT NULL,
  contact TEXT NOT NULL,
  company TEXT
);
CREATE INDEX judged_snapshots_judged_at ON judged_snapshots (judged_at);
