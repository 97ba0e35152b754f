import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { judgeAgain, sendJudgeAgain } from "../../workers/admin/enqueue";
import { admin, eventually } from "./admin-client";
import { auditSteps, deliver, leadEvent } from "./queue-harness";
import {
  createCompany,
  createContact,
  qualifyingContact,
  salesforceLeads,
  setHubSpotFaults,
  setSalesforceFaults,
  updateContact,
} from "./sandboxes";

let run = 0;
const unique = () => `al${Date.now().toString(36)}${++run}`;
const leadsFor = async (contactId: string) =>
  (await salesforceLeads()).filter((l) => l.HubSpot_Contact_Id__c === contactId);
const count = (steps: string[], step: string) => steps.filter((s) => s === step).length;

beforeEach(async () => {
  await Promise.all([setHubSpotFaults([]), setSalesforceFaults([])]);
  await env.KV.delete("salesforce:usage");
});

describe("GET /admin/leads/:contactId", () => {
  it("shows the lead's state and its full audit trail in order", async () => {
    const id = await createContact(
      qualifyingContact(unique(), {
        recent_conversion_event_name: "Guide download",
        hs_analytics_first_url: "https://acme.example/guide?utm_source=x",
      }),
      await createCompany({ name: "Acme Robotics" }),
    );
    await deliver([leadEvent(id)]);
    const res = await admin("GET", `/admin/leads/${id}`);
    expect(res.status).toBe(200);
    expect(res.body.lead).toMatchObject({
      contactId: id,
      status: "handed_off",
      reasons: [],
      rulesVersion: expect.any(Number),
      engagementScore: 75,
      // What credits it to collateral (docs/report.md#content-usage).
      conversionEvent: "Guide download",
      firstUrl: "https://acme.example/guide",
    });
    expect(res.body.lead.salesforceLeadId).toBe((await leadsFor(id))[0]!.Id);
    expect(res.body.audit.map((a: { step: string }) => a.step)).toEqual(await auditSteps(id));
    expect(res.body.audit.find((a: { step: string }) => a.step === "enriched")).toMatchObject({
      detail: { score: 75 },
    });
  });

  it("answers 404 for a contact it never saw and 400 for a malformed id", async () => {
    expect((await admin("GET", "/admin/leads/99999999999")).body.error.code).toBe("not_found");
    const bad = await admin("GET", "/admin/leads/abc");
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("path.contactId");
  });
});

describe("GET /admin/leads", () => {
  it("filters by status, reason and since, and pages with a cursor", async () => {
    const since = new Date().toISOString();
    const company = await createCompany({ name: "Acme Robotics" });
    const gmail = [];
    for (let i = 0; i < 3; i++) {
      const n = unique();
      gmail.push(
        await createContact(qualifyingContact(n, { email: `dev${n}@gmail.com` }), company),
      );
    }
    const lowScore = await createContact(
      qualifyingContact(unique(), { hubspotscore: "10" }),
      company,
    );
    const good = await createContact(qualifyingContact(unique()), company);
    await deliver([...gmail, lowScore, good].map((id) => leadEvent(id)));

    const rejected = await admin("GET", `/admin/leads?status=rejected&since=${since}`);
    expect(rejected.body.leads.map((l: { contactId: string }) => l.contactId).sort()).toEqual(
      [...gmail, lowScore].sort(),
    );
    const free = await admin("GET", `/admin/leads?reason=free_email_domain&since=${since}`);
    expect(free.body.leads.map((l: { contactId: string }) => l.contactId).sort()).toEqual(
      [...gmail].sort(),
    );

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await admin(
        "GET",
        `/admin/leads?since=${since}&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(page.body.leads.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.leads.map((l: { contactId: string }) => l.contactId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...gmail, lowScore, good].sort());
  });

  it("refuses bad filters with a 400 naming the field", async () => {
    for (const [query, field] of [
      ["status=nope", "query.status"],
      ["since=yesterday", "query.since"],
      ["limit=1000", "query.limit"],
      ["cursor=%%%", "query.cursor"],
    ]) {
      const res = await admin("GET", `/admin/leads?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.message).toContain(field);
    }
  });
});

describe("POST /admin/resync", () => {
  it("judges a handed-off contact again and leaves exactly one Salesforce lead", async () => {
    const id = await createContact(
      qualifyingContact(unique()),
      await createCompany({ name: "Acme Robotics" }),
    );
    await deliver([leadEvent(id)]);
    const [before] = await leadsFor(id);
    expect(before).toBeDefined();

    await updateContact(id, { jobtitle: "Principal Platform Engineer" });
    for (const judgements of [2, 3]) {
      const res = await admin("POST", "/admin/resync", { contactIds: [id, id] });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ accepted: 1, contactIds: [id] });
      await eventually(
        async () => (count(await auditSteps(id), "qualified") >= judgements ? true : undefined),
        30_000,
        `judgement ${judgements}`,
      );
    }

    const after = await leadsFor(id);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ Id: before!.Id, Title: "Principal Platform Engineer" });
    // The first resync pushed the change; the second found nothing new to send.
    expect(count(await auditSteps(id), "pushed")).toBe(2);
  });

  it("refuses an empty, oversized or malformed list", async () => {
    const cases: [unknown, string][] = [
      [{ contactIds: [] }, "body.contactIds"],
      [{ contactIds: Array.from({ length: 501 }, (_, i) => String(i + 1)) }, "body.contactIds"],
      [{ contactIds: ["12a"] }, "body.contactIds[0]"],
      [{}, "body.contactIds"],
    ];
    for (const [body, field] of cases) {
      const res = await admin("POST", "/admin/resync", body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(field);
    }
    expect((await admin("POST", "/admin/resync", "{not json")).status).toBe(400);
  });
});

describe("judge-again messages", () => {
  it("packs resync and backfill events 100 to a queue message", async () => {
    const batches: { body: unknown }[][] = [];
    const queue = {
      sendBatch: async (batch: { body: unknown }[]) => void batches.push([...batch]),
    } as unknown as Queue;
    const events = Array.from({ length: 250 }, (_, i) =>
      judgeAgain("62515", String(5000 + i), `resync:${5000 + i}:t`),
    );
    await sendJudgeAgain(queue, events);
    const bodies = batches.flat().map((m) => m.body as { events: { contactId: string }[] });
    expect(bodies.map((b) => b.events.length)).toEqual([100, 100, 50]);
    expect(bodies.flatMap((b) => b.events.map((e) => e.contactId))).toEqual(
      events.map((e) => e.contactId),
    );
  });
});
