import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { SyncHealthSchema } from "../../shared/contracts/admin";
import type { AuditStep } from "../../shared/contracts/outcomes";
import { recordUsage } from "../../shared/salesforce/budget";
import { classify, classifyDeadLetter } from "../../workers/admin/error-kinds";
import worker from "../../workers/index";
import { admin } from "./admin-client";
import { deliver, leadEvent } from "./queue-harness";
import {
  createCompany,
  createContact,
  createSalesforceLead,
  qualifyingContact,
  setHubSpotFaults,
  setSalesforceFaults,
} from "./sandboxes";

let run = 0;
const unique = () => `sh${Date.now().toString(36)}${++run}`;

beforeEach(async () => {
  await Promise.all([setHubSpotFaults([]), setSalesforceFaults([])]);
  await env.KV.delete("salesforce:usage");
});

describe("GET /admin/sync-health", () => {
  it("groups errors by kind with the affected contacts, and shows usage and backlog", async () => {
    const company = await createCompany({ name: "Acme Robotics" });
    const n = unique();
    await createSalesforceLead({
      LastName: "Existing",
      Company: "Acme",
      Email: `dup${n}@acme-robotics.com`,
    });
    const duplicate = await createContact(
      qualifyingContact(n, { email: `dup${n}@acme-robotics.com` }),
      company,
    );
    const tooLong = await createContact(
      qualifyingContact(unique(), { lastname: "L".repeat(90) }),
      company,
    );
    const fine = await createContact(qualifyingContact(unique()), company);
    await deliver([duplicate, tooLong, fine].map((id) => leadEvent(id)));

    const batch = createMessageBatch("lead-events-dlq", [
      {
        id: `dlq-${unique()}`,
        timestamp: new Date(),
        attempts: 1,
        body: {
          event: leadEvent("777001"),
          reason:
            "salesforce_unavailable: Salesforce call failed (INVALID_SESSION_ID): Session expired",
          attempts: 6,
        },
      },
      {
        id: `dlq-${unique()}`,
        timestamp: new Date(),
        attempts: 1,
        body: {
          event: leadEvent("777002"),
          reason: "salesforce_limit: Salesforce daily API limit reached",
          attempts: 6,
        },
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    await getQueueResult(batch, ctx);
    await recordUsage(env.KV, { used: 4200, limit: 15000 });

    const res = await admin("GET", "/admin/sync-health?hours=1");
    expect(res.status).toBe(200);
    const health = SyncHealthSchema.parse(res.body);
    const kind = (k: string) => health.errors.find((e) => e.kind === k)!;
    expect(kind("duplicates")).toMatchObject({
      count: 1,
      contacts: [duplicate],
      codes: { DUPLICATES_DETECTED: 1 },
    });
    expect(kind("validation")).toMatchObject({
      count: 1,
      contacts: [tooLong],
      codes: { STRING_TOO_LONG: 1 },
    });
    expect(kind("auth").contacts).toEqual(["777001"]);
    expect(kind("limits").contacts).toEqual(["777002"]);
    expect(health.salesforce).toMatchObject({
      used: 4200,
      max: 15000,
      share: 0.28,
      budgetShare: 0.8,
    });
    expect(health.backlog.deadLetters).toBeGreaterThanOrEqual(2);
    expect(health.outcomes.handedOff).toBeGreaterThanOrEqual(1);
    expect(health.outcomes.rejected).toBeGreaterThanOrEqual(2);
  });

  it("refuses a window it cannot show", async () => {
    expect((await admin("GET", "/admin/sync-health?hours=0")).status).toBe(400);
    expect((await admin("GET", "/admin/sync-health?hours=99999")).status).toBe(400);
  });
});

describe("error kinds", () => {
  it.each([
    ["salesforce_refused", { code: "DUPLICATES_DETECTED" }, "duplicates"],
    ["salesforce_refused", { code: "REQUIRED_FIELD_MISSING" }, "validation"],
    ["held", { reason: "salesforce_budget" }, "limits"],
    ["push_retry", { code: "UNABLE_TO_LOCK_ROW" }, "transient"],
    [
      "error",
      {
        kind: "salesforce_unavailable",
        message: "Salesforce call failed (INVALID_SESSION_ID): expired",
      },
      "auth",
    ],
    ["error", { kind: "hubspot_rate_limited", message: "HubSpot rate limit reached" }, "limits"],
    ["error", { kind: "hubspot_unavailable", message: "HubSpot unavailable (503)" }, "transient"],
    ["error", { kind: "unexpected", message: "boom" }, "other"],
  ])("%s %j is %s", (step, detail, expected) => {
    expect(classify(step as AuditStep, detail).kind).toBe(expected);
  });

  it("reads a dead letter's kind", () => {
    expect(
      classifyDeadLetter("invalid_message", "not a lead event: message.key: expected string"),
    ).toEqual({ kind: "validation", code: "invalid_message" });
    expect(
      classifyDeadLetter(
        "salesforce_limit",
        "salesforce_limit: Salesforce daily API limit reached",
      ),
    ).toEqual({ kind: "limits", code: "dead_letter:salesforce_limit" });
    expect(
      classifyDeadLetter(
        "retries_exhausted",
        "retries exhausted: the consumer failed on every delivery",
      ).kind,
    ).toBe("other");
  });
});
