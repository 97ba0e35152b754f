import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_RULES } from "../../shared/contracts/rules";
import { admin, eventually } from "./admin-client";
import { auditSteps, deliver, leadEvent, leadRow } from "./queue-harness";
import {
  createCompany,
  createContact,
  qualifyingContact,
  rawContact,
  setHubSpotFaults,
  setSalesforceFaults,
} from "./sandboxes";

let run = 0;
const unique = () => `ru${Date.now().toString(36)}${++run}`;

beforeEach(async () => {
  await Promise.all([setHubSpotFaults([]), setSalesforceFaults([])]);
  await env.KV.delete("salesforce:usage");
});

describe("GET/PUT /admin/rules", () => {
  it("changes the next judgement, records the version that judged, and keeps old versions readable", async () => {
    const id = await createContact(
      qualifyingContact(unique(), { hubspotscore: "50" }),
      await createCompany({ name: "Acme Robotics" }),
    );
    await deliver([leadEvent(id)]);
    const before = await admin("GET", "/admin/rules");
    expect(before.status).toBe(200);
    expect(await leadRow(id)).toMatchObject({
      status: "rejected",
      reasons: JSON.stringify(["engagement_below_threshold"]),
      rules_version: before.body.version,
    });

    const put = await admin("PUT", "/admin/rules", {
      rules: { ...before.body.rules, minEngagementScore: 40 },
      note: "accept warmer leads",
    });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({
      version: before.body.version + 1,
      createdBy: "admin-token",
      note: "accept warmer leads",
      rules: { minEngagementScore: 40 },
    });
    expect((await admin("GET", "/admin/rules")).body.version).toBe(put.body.version);

    await admin("POST", "/admin/resync", { contactIds: [id] });
    const row = await eventually(
      async () => {
        const r = await leadRow(id);
        return r?.status === "handed_off" ? r : undefined;
      },
      30_000,
      "the contact to be judged again",
    );
    expect(row.rules_version).toBe(put.body.version);
    expect((await rawContact(id)).properties.leadbridge_status).toBe("handed_off");
    const trail = (await admin("GET", `/admin/leads/${id}`)).body.audit as {
      step: string;
      detail: Record<string, unknown>;
    }[];
    expect(trail.filter((a) => a.step === "refused").map((a) => a.detail.rulesVersion)).toEqual([
      before.body.version,
    ]);
    expect(trail.filter((a) => a.step === "qualified").map((a) => a.detail.rulesVersion)).toEqual([
      put.body.version,
    ]);
    expect(await auditSteps(id)).toContain("pushed");

    const old = await admin("GET", `/admin/rules?version=${before.body.version}`);
    expect(old.body).toMatchObject({
      version: before.body.version,
      rules: { minEngagementScore: before.body.rules.minEngagementScore },
    });
    const versions = (await admin("GET", "/admin/rules/versions")).body.versions as {
      version: number;
    }[];
    expect(versions.map((v) => v.version).slice(0, 2)).toEqual([
      put.body.version,
      before.body.version,
    ]);
  });

  it("refuses invalid rules with a 400 naming the field, and stores nothing", async () => {
    const current = (await admin("GET", "/admin/rules")).body;
    const cases: [unknown, string][] = [
      [{ rules: { ...DEFAULT_RULES, minEngagementScore: 101 } }, "body.rules.minEngagementScore"],
      [{ rules: { ...DEFAULT_RULES, criteria: ["owns_a_yacht"] } }, "body.rules.criteria[0]"],
      [{ rules: { ...DEFAULT_RULES, surprise: true } }, "body.rules"],
      [{ rules: { ...DEFAULT_RULES, requiredFields: "email" } }, "body.rules.requiredFields"],
      [DEFAULT_RULES, "body"],
    ];
    for (const [body, field] of cases) {
      const res = await admin("PUT", "/admin/rules", body);
      expect(res.status, field).toBe(400);
      expect(res.body.error.message).toContain(field);
    }
    expect((await admin("GET", "/admin/rules")).body.version).toBe(current.version);
    expect((await admin("GET", "/admin/rules?version=9999")).status).toBe(404);
    expect((await admin("GET", "/admin/rules?version=abc")).status).toBe(400);
  });
});
