-- Routing (docs/routing.md): every version kept, like the rules and the mapping. No version is
-- seeded: until an admin saves one, new Leads follow SALESFORCE_LEAD_ASSIGNMENT as before.
CREATE TABLE routings (
  version INTEGER PRIMARY KEY,
  routing TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  note TEXT
);

-- The owner each new Lead was given and why, written (with the turn and the day's counts below,
-- in one D1 transaction) before the upsert that sends it: a redelivered batch reuses the row and
-- advances no turn twice. owner_id null: Salesforce's assignment rule (or the integration user)
-- decided. lead_id is filled once Salesforce confirms the Lead.
CREATE TABLE assignments (
  contact_id TEXT PRIMARY KEY,
  owner_id TEXT,
  routing_version INTEGER NOT NULL,
  pool TEXT,
  reason TEXT NOT NULL,
  account_id TEXT,
  day TEXT NOT NULL,
  assigned_at INTEGER NOT NULL,
  lead_id TEXT
);
CREATE INDEX assignments_by_day ON assignments (day, owner_id);
CREATE INDEX assignments_by_time ON assignments (assigned_at);

-- A pool's round-robin position (by pool name, so a new routing version keeps the turn).
CREATE TABLE routing_turns (
  pool TEXT PRIMARY KEY,
  turn INTEGER NOT NULL
);

-- Leads given to each user on each of the org's days: what a daily cap counts.
CREATE TABLE routing_daily (
  day TEXT NOT NULL,
  user_id TEXT NOT NULL,
  assigned INTEGER NOT NULL,
  PRIMARY KEY (day, user_id)
);

-- Optimistic concurrency for assignment: a batch plans from the state it read at revision r and
-- commits by inserting r + 1. A concurrent batch that committed first makes the insert fail, the
-- whole D1 batch rolls back, and the loser plans again from fresh state.
CREATE TABLE routing_revisions (
  revision INTEGER PRIMARY KEY,
  committed_at INTEGER NOT NULL
);
