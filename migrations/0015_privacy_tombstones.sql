-- Privacy deletion (docs/handoff.md "Privacy deletion"): a keyed hash of each privacy-deleted
-- contact's id, never the id itself, so that a late event for it (a HubSpot retry, a replay) is
-- recognised and leaves nothing behind. Pruned nightly after 30 days.
CREATE TABLE privacy_tombstones (
  token TEXT PRIMARY KEY,
  at INTEGER NOT NULL
);
CREATE INDEX privacy_tombstones_at ON privacy_tombstones (at);
