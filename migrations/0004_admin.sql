-- Admin jobs (backfills): resumable, stepped through the admin-jobs queue.
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  params TEXT NOT NULL,
  cursor TEXT,
  -- HubSpot's count of contacts in the range when the walk began (progress bars; contacts may come and go).
  expected INTEGER,
  -- Step number: a step message carrying another number is stale (cancelled, resumed, or a duplicate).
  step INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX jobs_state ON jobs (state, created_at);

-- Every contact a job found, once; its handoff outcome is read from leads (judged_at after enqueued_at).
CREATE TABLE job_contacts (
  job_id TEXT NOT NULL,
  contact_id TEXT NOT NULL,
  found_at INTEGER NOT NULL,
  enqueued_at INTEGER,
  PRIMARY KEY (job_id, contact_id)
);

-- Lead lookups by rejection reason and recency for GET /admin/leads.
CREATE INDEX leads_judged ON leads (judged_at);
