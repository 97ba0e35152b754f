import { Client } from "@hubspot/api-client";
import type { AssociationSpecAssociationCategoryEnum } from "@hubspot/api-client/lib/codegen/crm/objects/notes";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type HubSpotSandbox, startHubSpotSandbox } from "../../sandbox/hubspot/server";

// The sandbox's batch create as HubSpot documents it (error handling, "Multi-status errors"):
// traced inputs are created or refused one by one (201 / 207); untraced, one bad input refuses
// all. And the faults that make a caller meet a lost answer or a refused input.

const TOKEN = "sandbox-hubspot-token";
const HUBSPOT_DEFINED = "HUBSPOT_DEFINED" as AssociationSpecAssociationCategoryEnum;
const NOTES = "/crm/v3/objects/notes/batch/create";
let sandbox: HubSpotSandbox;
let hubspot: Client;
let contactIds: string[];

const note = (contactId: string, objectWriteTraceId?: string) => ({
  ...(objectWriteTraceId ? { objectWriteTraceId } : {}),
  properties: { hs_timestamp: new Date().toISOString(), hs_note_body: `For ${contactId}` },
  associations: [
    {
      to: { id: contactId },
      types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 202 }],
    },
  ],
});

async function notesOn(contactId: string): Promise<number> {
  const res = await fetch(`${sandbox.url}/__sandbox/objects/contacts/${contactId}`);
  return ((await res.json()) as { notes: unknown[] }).notes.length;
}

const setFaults = (rules: unknown[]) =>
  fetch(`${sandbox.url}/__sandbox/faults`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(rules),
  });

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ port: 0, rateLimits: false });
  hubspot = new Client({ accessToken: TOKEN, basePath: sandbox.url, numberOfApiCallRetries: 0 });
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await setFaults([]);
  const created = await hubspot.crm.contacts.batchApi.create({
    inputs: [1, 2, 3].map((i) => ({
      properties: { email: `n${i}.${Date.now()}@example.com` },
      associations: [],
    })),
  });
  contactIds = created.results.map((r) => r.id);
});

describe("batch create", () => {
  it("traced inputs all valid: 201, every note on its contact", async () => {
    const answer = await hubspot.crm.objects.notes.batchApi.create({
      inputs: contactIds.map((id) => note(id, `t-${id}`)),
    });
    expect(answer).toMatchObject({ status: "COMPLETE" });
    expect(answer.results).toHaveLength(3);
    expect("numErrors" in answer).toBe(false);
    for (const id of contactIds) expect(await notesOn(id)).toBe(1);
  });

  it("traced inputs, one invalid: 207 naming its trace id; the others are created", async () => {
    const res = await fetch(`${sandbox.url}${NOTES}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        inputs: [
          note(contactIds[0]!, "ok-1"),
          note("999999999", "bad"),
          note(contactIds[1]!, "ok-2"),
        ],
      }),
    });
    expect(res.status).toBe(207);
    const body = (await res.json()) as Record<string, any>;
    expect(body).toMatchObject({ status: "COMPLETE", numErrors: 1 });
    expect(body.results).toHaveLength(2);
    expect(body.errors).toEqual([
      expect.objectContaining({
        status: "error",
        category: "VALIDATION_ERROR",
        message: "One or more associations are invalid",
        context: { objectWriteTraceId: ["bad"] },
      }),
    ]);
    expect(await notesOn(contactIds[0]!)).toBe(1);
    expect(await notesOn(contactIds[1]!)).toBe(1);
  });

  it("untraced inputs, one invalid: 400 and nothing is created", async () => {
    const err = await hubspot.crm.objects.notes.batchApi
      .create({ inputs: [note(contactIds[0]!), note("999999999")] })
      .catch((e: { code: number }) => e);
    expect((err as { code: number }).code).toBe(400);
    expect(await notesOn(contactIds[0]!)).toBe(0);
  });

  it("status_after_write: the notes are stored, the caller sees only a 5xx", async () => {
    await setFaults([{ kind: "status_after_write", status: 502, path: NOTES, times: 1 }]);
    const err = await hubspot.crm.objects.notes.batchApi
      .create({ inputs: contactIds.map((id) => note(id, id)) })
      .catch((e: { code: number }) => e);
    expect((err as { code: number }).code).toBe(502);
    for (const id of contactIds) expect(await notesOn(id)).toBe(1);
  });

  it("batch_item_error: a traced batch refuses its first input, creates the rest (207)", async () => {
    await setFaults([{ kind: "batch_item_error", path: NOTES, times: 1 }]);
    const answer = await hubspot.crm.objects.notes.batchApi.create({
      inputs: contactIds.map((id) => note(id, id)),
    });
    expect(answer).toMatchObject({ numErrors: 1 });
    expect("errors" in answer && answer.errors?.[0]?.context).toEqual({
      objectWriteTraceId: [contactIds[0]],
    });
    expect(await notesOn(contactIds[0]!)).toBe(0);
    for (const id of contactIds.slice(1)) expect(await notesOn(id)).toBe(1);
  });
});
