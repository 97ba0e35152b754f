import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import {
  handOff,
  hubspotSide,
  outcomeRow,
  patchLead,
  runSync,
  salesNotes,
} from "./outcomes-harness";
import { auditSteps, deliver, leadEvent, leadRow } from "./queue-harness";
import {
  createContact,
  hubspotCounts,
  qualifyingContact,
  rawContact,
  setHubSpotFaults,
} from "./sandboxes";

// Issue 15: timeline notes exactly once. HubSpot may store a batch of notes and still answer 5xx
// (the answer is lost), and with multi-status a 207 names the notes it refused. Through the real
// queue handler and outcome sync, the official client and the sandbox HubSpot.

const NOTES = "/crm/v3/objects/notes/batch/create";
let run = 0;
const unique = () => `xo${Date.now().toString(36)}${++run}`;

/** Contacts the rules refuse (free webmail): each is owed one refusal note. */
const refusedContacts = (n: number) =>
  Promise.all(
    Array.from({ length: n }, () =>
      createContact(qualifyingContact(unique(), { email: `x.${unique()}@gmail.com` })),
    ),
  );

const notesOn = async (id: string) => (await rawContact(id)).notes.length;

async function intentsOf(ids: string[]): Promise<number> {
  const row = await env.DB.prepare(
    "SELECT count(*) AS n FROM note_intents WHERE contact_id IN (SELECT value FROM json_each(?))",
  )
    .bind(JSON.stringify(ids))
    .first<{ n: number }>();
  return row!.n;
}

afterEach(() => setHubSpotFaults([]));

describe("the handoff's refusal notes", () => {
  it("HubSpot stores the notes then answers 5xx: the timeline is read, nothing is posted twice", async () => {
    const ids = await refusedContacts(3);
    await setHubSpotFaults([
      { kind: "status_after_write", status: 502, path: NOTES, method: "POST", times: 1 },
    ]);
    const before = (await hubspotCounts()).byEndpoint[`POST ${NOTES}`] ?? 0;
    const result = await deliver(ids.map((id) => leadEvent(id)));

    expect(result.explicitAcks).toHaveLength(3);
    expect(result.explicitRetries).toEqual([]);
    for (const id of ids) {
      expect(await notesOn(id)).toBe(1);
      expect((await rawContact(id)).properties.leadbridge_status).toBe("rejected");
      expect((await leadRow(id))!.feedback_key).toContain("free_email_domain");
      expect(await auditSteps(id)).toContain("feedback_written");
    }
    // One post, whose answer was lost; found on the timeline, so not sent again.
    expect((await hubspotCounts()).byEndpoint[`POST ${NOTES}`]).toBe(before + 1);
    const detail = await env.DB.prepare(
      "SELECT detail FROM audit WHERE contact_id = ? AND step = 'feedback_written'",
    )
      .bind(ids[0]!)
      .first<{ detail: string }>();
    expect(JSON.parse(detail!.detail)).toMatchObject({ note: true, noteFoundOnTimeline: true });
    expect(await intentsOf(ids)).toBe(0);
  });

  it("a 207 that refuses one note retries that contact alone; every contact ends with one note", async () => {
    const ids = await refusedContacts(3);
    await setHubSpotFaults([{ kind: "batch_item_error", path: NOTES, times: 1 }]);
    const first = await deliver(ids.map((id) => leadEvent(id)));

    expect(first.explicitAcks).toHaveLength(2);
    expect(first.explicitRetries).toHaveLength(1);
    const failed = ids[first.ids.indexOf(first.explicitRetries[0]!.msgId)]!;
    expect(await notesOn(failed)).toBe(0);
    expect(await auditSteps(failed)).toContain("feedback_retry");
    expect((await leadRow(failed))!.feedback_key).toBeNull();
    for (const id of ids.filter((i) => i !== failed)) {
      expect(await notesOn(id)).toBe(1);
      expect(await auditSteps(id)).toContain("feedback_written");
    }
    expect(await intentsOf([failed])).toBe(1);

    const second = await deliver([leadEvent(failed)], 2);
    expect(second.explicitAcks).toHaveLength(1);
    for (const id of ids) expect(await notesOn(id)).toBe(1);
    expect((await leadRow(failed))!.feedback_key).toContain("free_email_domain");
    expect(await intentsOf(ids)).toBe(0);
  });
});

describe("the outcome sync's sales-refusal notes", () => {
  it("HubSpot stores the note then answers 5xx: found on the timeline, written once, not owed", async () => {
    const [refused] = await handOff(1);
    await patchLead(refused!.leadId, {
      Status: "Closed - Not Converted",
      Disqualification_Reason__c: "No budget",
    });
    await setHubSpotFaults([
      { kind: "status_after_write", status: 503, path: NOTES, method: "POST", times: 1 },
    ]);
    const result = await runSync();
    expect(result.written.failed).toBe(0);
    expect(salesNotes((await hubspotSide(refused!.contactId)).notes)).toHaveLength(1);
    const row = await outcomeRow(refused!.contactId);
    expect(row!.written_version).toBe(row!.version);
    expect(row!.note_written_key).not.toBeNull();

    const again = await runSync();
    expect(again.written.notes).toBe(0);
    expect(salesNotes((await hubspotSide(refused!.contactId)).notes)).toHaveLength(1);
  });
});
