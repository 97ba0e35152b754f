-- Existing customers get no duplicate Lead (docs/handoff.md). A qualifying contact whose email
-- is already a Salesforce Contact's gets status 'existing_contact' and no Lead; this is that
-- Contact's id, NULL for every other status. It is matched again on the contact's next change.
ALTER TABLE leads ADD COLUMN salesforce_contact_id TEXT;
