import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { SyncHealthSchema } from "../../shared/contracts/admin";
import { type AuditStep, DEPENDENCIES } from "../../shared/contracts/outcomes";
import { createLogger } from "../../shared/log";
import { DependencyWatch, recordPauses } from "../../shared/pause";
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
  for (const d of DEPENDENCIES) await env.KV.delete(`pause:${d}`);
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

  it("shows the pauses in force with a line to read, and none once the dependency answers", async () => {
    const log = createLogger({ test: "sync-health" });
    const since = Date.UTC(2026, 0, 5, 9, 30);
    const failing = new DependencyWatch();
    failing.saw("hubspot_rate_limited");
    failing.saw("salesforce_auth");
    failing.worked("d1");
    await recordPauses(env.KV, failing, log, since);

    const paused = async () => {
      const res = await admin("GET", "/admin/sync-health?hours=1");
      expect(res.status).toBe(200);
      return SyncHealthSchema.parse(res.body).paused;
    };
    expect(await paused()).toEqual([
      {
        dependency: "hubspot",
        reason: "hubspot_rate_limited",
        since: "2026-01-05T09:30:00.000Z",
        lastSeen: "2026-01-05T09:30:00.000Z",
        message:
          "paused: HubSpot unavailable since 2026-01-05T09:30:00.000Z (hubspot_rate_limited)",
      },
      expect.objectContaining({ dependency: "salesforce", reason: "salesforce_auth" }),
    ]);

    // Seen again later: the pause keeps its start; HubSpot answering ends its pause alone.
    const later = new DependencyWatch();
    later.saw("salesforce_unavailable");
    later.worked("hubspot");
    await recordPauses(env.KV, later, log, since + 60_000);
    expect(await paused()).toEqual([
      expect.objectContaining({
        dependency: "salesforce",
        reason: "salesforce_unavailable",
        since: "2026-01-05T09:30:00.000Z",
        lastSeen: "2026-01-05T09:31:00.000Z",
      }),
    ]);

    const answered = new DependencyWatch();
    answered.worked("salesforce");
    await recordPauses(env.KV, answered, log);
    expect(await paused()).toEqual([]);
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

  it("sorts held work by why it waits: a limit, an outage or refused credentials", () => {
    expect(classify("held", { reason: "salesforce_budget" }).kind).toBe("limits");
    expect(classify("held", { kind: "hubspot_rate_limited" }).kind).toBe("limits");
    expect(classify("held", { kind: "hubspot_unavailable" }).kind).toBe("transient");
    expect(classify("held", { kind: "d1_unavailable" }).kind).toBe("transient");
    expect(classify("held", { kind: "salesforce_auth" }).kind).toBe("auth");
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
