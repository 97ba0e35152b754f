-- The field mapping (docs/mapping.md): every version kept, like the rules; version 1 (the eleven
-- fields Leadbridge always wrote) is seeded on first use. Each lead records the version that
-- built the payload Salesforce was sent (null before mappings were versioned, and for refusals).
CREATE TABLE mappings (
  version INTEGER PRIMARY KEY,
  mapping TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  note TEXT
);
ALTER TABLE leads ADD COLUMN mapping_version INTEGER;
