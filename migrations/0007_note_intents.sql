-- Notes about to be posted on HubSpot timelines, written just before the call. The lead row
-- records a note's feedback key only in the batch's final transaction; if that never lands
-- (the isolate died, D1 failed), the retry finds the intent and looks on the contact's timeline
-- before posting again, so a refusal note is never doubled.
CREATE TABLE note_intents (
  contact_id TEXT PRIMARY KEY,
  feedback_key TEXT NOT NULL,
  at INTEGER NOT NULL
);
