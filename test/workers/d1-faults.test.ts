import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { faultActive, withD1Faults } from "../../shared/db/faulty";
import { MAX_DELIVERIES } from "../../shared/retryable";
import { d1RetrySeconds } from "../../workers/handoff/d1-outage";
import type { DeadLetterBody } from "../../workers/handoff/dead-letters";
import { MAX_DLQ_DELIVERIES, QUEUES } from "../../workers/queues";
import { deliver, keepingQueue, leadEvent, leadRow } from "./queue-harness";
import {
  createCompany,
  createContact,
  qualifyingContact,
  rawContact,
  salesforceLeads,
} from "./sandboxes";

let run = 0;
const unique = () => `d1f${Date.now().toString(36)}${++run}`;

/** The test env with D1 down, and the queues recording instead of delivering. */
function outage() {
  const leadEvents = keepingQueue();
  const deadLetters = keepingQueue();
  const bindings = {
    ...env,
    LEADBRIDGE_TEST_D1_FAULTS: "on",
    LEAD_EVENTS: leadEvents.queue,
    LEAD_EVENTS_DLQ: deadLetters.queue,
  } as Env;
  return { bindings, leadEvents: leadEvents.sent, deadLetters: deadLetters.sent };
}

const leadsFor = async (contactId: string) =>
  (await salesforceLeads()).filter((l) => l.HubSpot_Contact_Id__c === contactId);

async function deadLetterRows(like: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM dead_letters WHERE message_id LIKE ?")
    .bind(like)
    .first<{ n: number }>();
  return row!.n;
}

describe("the D1 fault switch (test-only)", () => {
  it("leaves the env as it is without its binding, and fails every D1 call while on", async () => {
    expect(withD1Faults(env)).toBe(env);
    const past = { ...env, LEADBRIDGE_TEST_D1_FAULTS: `until:${Date.now() - 1}` } as Env;
    expect(withD1Faults(past)).toBe(past);
    expect(faultActive(`until:${Date.now() + 60_000}`, Date.now())).toBe(true);
    expect(faultActive("off", Date.now())).toBe(false);

    const down = withD1Faults({ ...env, LEADBRIDGE_TEST_D1_FAULTS: "on" } as Env);
    await expect(down.DB.prepare("SELECT 1").bind().first()).rejects.toThrow(/D1_ERROR/);
    await expect(down.DB.batch([])).rejects.toThrow(/D1_ERROR/);
    await expect(down.DB.exec("SELECT 1")).rejects.toThrow(/D1_ERROR/);
  });
});

describe("D1 failing in the lead-events consumer", () => {
  it("delays every message with growing waits, never acks or dead-letters it, and hands it off once when D1 is back", async () => {
    const company = await createCompany({ name: "Outage Robotics" });
    const handed = await createContact(qualifyingContact(unique()), company);
    const refused = await createContact(
      qualifyingContact(unique(), { email: `${unique()}@gmail.com` }),
    );
    const messages = [leadEvent(handed), leadEvent(refused)];
    const down = outage();

    const delays: number[] = [];
    for (let attempts = 1; attempts < MAX_DELIVERIES; attempts++) {
      const result = await deliver(messages, attempts, down.bindings);
      expect(result.explicitAcks).toEqual([]);
      expect(result.ackAll).toBe(false);
      expect(result.retryBatch.retry).toBe(false);
      expect(result.explicitRetries.map((r) => r.msgId).sort()).toEqual([...result.ids].sort());
      const [delay] = new Set(result.explicitRetries.map((r) => r.delaySeconds));
      expect(delay).toBe(d1RetrySeconds(attempts));
      delays.push(delay!);
    }
    expect(delays[0]).toBeGreaterThan(0);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1]!);

    // The last delivery the queue allows: a retry now would dead-letter it, so each message is
    // sent again (its deliveries start over) and acked.
    const last = await deliver(messages, MAX_DELIVERIES, down.bindings);
    expect(last.explicitRetries).toEqual([]);
    expect(last.explicitAcks.sort()).toEqual([...last.ids].sort());
    expect(down.leadEvents.map((s) => s.body)).toEqual(messages);
    for (const s of down.leadEvents)
      expect(s.delaySeconds).toBeGreaterThan(delays[delays.length - 1]!);
    expect(down.deadLetters).toEqual([]);
    expect(await leadRow(handed)).toBeNull();

    // D1 is back: the re-sent messages are handled once, and a copy coming again changes nothing.
    for (const copy of [1, 2]) {
      const result = await deliver(
        down.leadEvents.map((s) => s.body),
        1,
      );
      expect(result.explicitAcks, `copy ${copy}`).toHaveLength(2);
    }
    expect(await leadsFor(handed)).toHaveLength(1);
    expect((await leadRow(handed))?.status).toBe("handed_off");
    const contact = await rawContact(refused);
    expect(contact.properties.leadbridge_status).toBe("rejected");
    expect(contact.notes).toHaveLength(1);
  });
});

describe("D1 failing in the dead-letter consumer", () => {
  it("delays every letter with growing waits, re-sends it under its own id instead of dropping it, and records it once when D1 is back", async () => {
    const contactId = unique();
    const letter: DeadLetterBody = {
      event: leadEvent(contactId),
      kind: "salesforce_unavailable",
      reason: "salesforce_unavailable: 503",
      attempts: MAX_DELIVERIES,
    };
    const raw = leadEvent(unique()); // moved here by the queue itself
    const down = outage();

    const delays: number[] = [];
    for (let attempts = 1; attempts < MAX_DLQ_DELIVERIES; attempts++) {
      const result = await deliver([letter, raw], attempts, down.bindings, QUEUES.deadLetters);
      expect(result.explicitAcks).toEqual([]);
      expect(result.ackAll).toBe(false);
      expect(result.explicitRetries).toHaveLength(2);
      const [delay] = new Set(result.explicitRetries.map((r) => r.delaySeconds));
      expect(delay).toBe(d1RetrySeconds(attempts));
      delays.push(delay!);
    }
    expect(delays[0]).toBeGreaterThan(0);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1]!);

    const last = await deliver(
      [letter, raw],
      MAX_DLQ_DELIVERIES,
      down.bindings,
      QUEUES.deadLetters,
    );
    expect(last.ackAll).toBe(false);
    expect(last.explicitRetries).toEqual([]);
    expect(last.explicitAcks.sort()).toEqual([...last.ids].sort());
    const [letterId, rawId] = last.ids;
    expect(down.deadLetters.map((s) => s.body)).toEqual([
      { ...letter, messageId: letterId },
      {
        event: raw,
        kind: "retries_exhausted",
        reason: "retries exhausted: the consumer failed on every delivery",
        attempts: MAX_DLQ_DELIVERIES,
        messageId: rawId,
      },
    ]);
    for (const s of down.deadLetters) expect(s.delaySeconds).toBeGreaterThan(delays.at(-1)!);
    expect(await deadLetterRows(letterId!)).toBe(0);

    // D1 is back: recorded under the ids they first came with, once however often they come.
    for (const _ of [1, 2]) {
      const result = await deliver(
        down.deadLetters.map((s) => s.body),
        1,
        env,
        QUEUES.deadLetters,
      );
      expect(result.ackAll).toBe(true);
    }
    expect(await deadLetterRows(letterId!)).toBe(1);
    expect(await deadLetterRows(rawId!)).toBe(1);
    const stored = await env.DB.prepare("SELECT kind FROM dead_letters WHERE message_id = ?")
      .bind(letterId)
      .first<{ kind: string }>();
    expect(stored?.kind).toBe("salesforce_unavailable");
  });
});
