-- The requirement pool (docs/requirements.md): customers' requests mirrored from Salesforce's
-- Feature_Request__c, the requirements an admin groups them into, and the Tasks that told sales a
-- requirement shipped.

-- One row per Feature_Request__c, as the nightly pull last read it (SystemModstamp cursor). The
-- account's name and industry are read through the lookup when the request is pulled; the deal's
-- amount and stage come from sf_opportunities, which the same pull keeps current.
CREATE TABLE feature_requests (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  account_id TEXT NOT NULL,
  account_name TEXT,
  industry TEXT,
  opportunity_id TEXT,
  pain TEXT,
  expected_solution TEXT,
  business_value REAL,
  urgency TEXT,
  created_at INTEGER NOT NULL,
  modstamp TEXT NOT NULL
);

-- RICE inputs are null until the product manager sets them; a requirement merged into another
-- keeps its row (merged_into) so its id still answers, with no requests of its own.
CREATE TABLE requirements (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT NOT NULL,
  impact REAL CHECK (impact IN (0.25, 0.5, 1, 2, 3)),
  confidence REAL CHECK (confidence IN (0.5, 0.8, 1)),
  effort REAL CHECK (effort > 0),
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'planned', 'shipped')),
  merged_into INTEGER REFERENCES requirements (id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  shipped_at INTEGER
);

-- A request belongs to at most one requirement: the key is the request.
CREATE TABLE requirement_requests (
  request_id TEXT PRIMARY KEY,
  requirement_id INTEGER NOT NULL REFERENCES requirements (id),
  added_at INTEGER NOT NULL
);
CREATE INDEX requirement_requests_by_requirement ON requirement_requests (requirement_id, request_id);
CREATE INDEX feature_requests_by_opportunity ON feature_requests (opportunity_id);

-- One Task per requirement and opportunity owner, claimed before it is created in Salesforce and
-- completed with its id after: a retry finds the claim and never sends a second one.
CREATE TABLE requirement_notices (
  requirement_id INTEGER NOT NULL REFERENCES requirements (id),
  owner_id TEXT NOT NULL,
  opportunity_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  task_id TEXT,
  claimed_at INTEGER NOT NULL,
  sent_at INTEGER,
  PRIMARY KEY (requirement_id, owner_id)
);
