import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { RequirementListSchema, RequirementSchema } from "../../shared/contracts/requirements";
import { RANKING_SQL } from "../../shared/db/requirements";
import { loadConfig } from "../../shared/env";
import { createLogger } from "../../shared/log";
import { connectSalesforce } from "../../shared/salesforce/client";
import { CLAIM_LEASE_MS } from "../../workers/admin/ship-notices";
import { pullSalesforce } from "../../workers/telemetry/pull";
import { admin } from "./admin-client";
import { clearRequestLogs, salesforce, salesforceQueries, unique } from "./outcomes-harness";
import { setSalesforceFaults } from "./sandboxes";

// Issue 18's requirement pool: Feature_Request__c pulled incrementally from the sandbox org,
// grouped into requirements, ranked by RICE against a ranking worked out by hand below, and the
// shipped loop's Tasks read back from the sandbox.

type Saved = { id: string; success: boolean; errors: unknown[] };

async function create(type: string, records: Record<string, unknown>[]): Promise<string[]> {
  const results = await salesforce<Saved[]>("POST", "/composite/sobjects", {
    allOrNone: true,
    records: records.map((r) => ({ attributes: { type }, ...r })),
  });
  if (results.some((r) => !r.success)) throw new Error(JSON.stringify(results));
  return results.map((r) => r.id);
}

const pull = async () =>
  pullSalesforce(await connectSalesforce(loadConfig(env), env.KV), env.DB, createLogger(), {
    objects: ["Opportunity", "Feature_Request__c"],
    disqualificationField: "Disqualification_Reason__c",
    statusMap: {},
  });

const tag = unique();
let users: string[] = [];
let opps: string[] = [];
let requests: string[] = [];

/**
 * The org: three reps, four accounts (A–D), five deals and eight requests.
 *   o1 A rep0 open 10,000 · o2 B rep1 lost 20,000 · o3 C rep0 lost 5,000 · o4 D rep2 won 50,000 ·
 *   o5 B rep2 open 40,000
 *   r0 A o1, r1 B o2, r2 C o3, r3 A o1 (SSO) · r4 D o4, r5 B o5, r6 C – (audit) · r7 D – (dark mode)
 */
beforeAll(async () => {
  users = [];
  for (let i = 0; i < 3; i++) {
    const email = `rep${i}.${tag}@requirements.example`;
    const { id } = await salesforce<{ id: string }>("POST", "/sobjects/User", {
      LastName: `Rep${i}`,
      Email: email,
      Username: email,
    });
    users.push(id);
  }
  const accounts = await create(
    "Account",
    ["A", "B", "C", "D"].map((n) => ({ Name: `${n} ${tag}`, Industry: "Technology" })),
  );
  const deal = (account: number, owner: number, stage: string, amount: number) => ({
    Name: `Deal ${tag}`,
    AccountId: accounts[account],
    OwnerId: users[owner],
    StageName: stage,
    Amount: amount,
    CloseDate: "2026-12-31",
  });
  opps = await create("Opportunity", [
    deal(0, 0, "Prospecting", 10_000),
    deal(1, 1, "Closed Lost", 20_000),
    deal(2, 0, "Closed Lost", 5_000),
    deal(3, 2, "Closed Won", 50_000),
    deal(1, 2, "Needs Analysis", 40_000),
  ]);
  const request = (name: string, account: number, opp: number | null) => ({
    Name: name,
    Account__c: accounts[account],
    Opportunity__c: opp === null ? null : opps[opp],
    Pain__c: "In the customer's words",
    Business_Value__c: 1000,
    Urgency__c: "High",
  });
  requests = await create("Feature_Request__c", [
    request("SSO", 0, 0),
    request("SSO please", 1, 1),
    request("SAML", 2, 2),
    request("SSO again", 0, 0),
    request("Audit export", 3, 3),
    request("Audit trail", 1, 4),
    request("Audit to Splunk", 2, null),
    request("Dark mode", 3, null),
  ]);
});

describe("requirement pool", () => {
  it("pulls Feature_Request__c incrementally: a night with no changes costs one query", async () => {
    const first = await pull();
    expect(first.rows.Feature_Request__c).toBe(8);
    const held = await env.DB.prepare(
      "SELECT name, account_name, opportunity_id FROM feature_requests WHERE id = ?",
    )
      .bind(requests[1])
      .first();
    expect(held).toEqual({ name: "SSO please", account_name: `B ${tag}`, opportunity_id: opps[1] });

    await clearRequestLogs();
    const idle = await pull();
    // One query per pulled object (the log keeps paths, not SOQL): one for the requests.
    expect(idle.pages).toEqual({ Opportunity: 1, Feature_Request__c: 1 });
    expect(await salesforceQueries()).toHaveLength(2);

    await salesforce("PATCH", `/sobjects/Feature_Request__c/${requests[7]}`, {
      Pain__c: "Our staff work nights",
    });
    await pull();
    const changed = await env.DB.prepare("SELECT pain FROM feature_requests WHERE id = ?")
      .bind(requests[7])
      .first<{ pain: string }>();
    expect(changed?.pain).toBe("Our staff work nights");
  });

  it("an org without the object is pulled without it, with a warning", async () => {
    const conn = await connectSalesforce(loadConfig(env), env.KV);
    // The real sandbox's answer for an object the org lacks (INVALID_TYPE), asked through jsforce.
    const orgWithout = new Proxy(conn, {
      get: (target, key) =>
        key === "query"
          ? (soql: string) => target.query(soql.replace("Feature_Request__c", "Missing_Request__c"))
          : Reflect.get(target, key),
    });
    const warnings: string[] = [];
    const log = { ...createLogger(), warn: (event: string) => warnings.push(event) };
    const result = await pullSalesforce(orgWithout, env.DB, log, {
      objects: ["Feature_Request__c"],
      disqualificationField: "Disqualification_Reason__c",
      statusMap: {},
    });
    expect(result.rows.Feature_Request__c).toBe(0);
    expect(warnings).toEqual(["salesforce_object_missing"]);
  });

  let sso = 0;
  let audit = 0;
  let dark = 0;

  it("groups requests: a request is in one requirement, attaching moves it, merging moves all", async () => {
    const a = await admin("POST", "/admin/requirements", {
      title: "Single sign-on",
      requestIds: [requests[0], requests[1]],
    });
    expect(a.status).toBe(201);
    sso = a.body.id;
    const dupe = await admin("POST", "/admin/requirements", {
      title: "SAML login",
      requestIds: [requests[2], requests[3]],
    });
    audit = (
      await admin("POST", "/admin/requirements", {
        title: "Audit log export",
        requestIds: [requests[4], requests[5], requests[6], requests[1]],
      })
    ).body.id;
    // requests[1] moved to the audit requirement: SSO holds one request now.
    expect((await admin("GET", `/admin/requirements/${sso}`)).body.requests).toBe(1);
    const back = await admin("POST", `/admin/requirements/${sso}/requests`, {
      requestIds: [requests[1]],
    });
    expect(back.body.requests).toBe(2);

    const merged = await admin("POST", `/admin/requirements/${dupe.body.id}/merge`, { into: sso });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ id: sso, requests: 4, reach: 3 });
    const gone = await admin("GET", `/admin/requirements/${dupe.body.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.message).toContain(`merged into ${sso}`);
    const rows = await env.DB.prepare(
      "SELECT requirement_id, COUNT(*) AS n FROM requirement_requests GROUP BY requirement_id ORDER BY requirement_id",
    ).all();
    expect(rows.results).toEqual([
      { requirement_id: sso, n: 4 },
      { requirement_id: audit, n: 3 },
    ]);

    dark = (
      await admin("POST", "/admin/requirements", { title: "Dark mode", requestIds: [requests[7]] })
    ).body.id;
    await admin("POST", "/admin/requirements", { title: "Offline mode" });

    const unknown = await admin("POST", `/admin/requirements/${sso}/requests`, {
      requestIds: [requests[0], "a0F000000000001AAA"],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain("body.requestIds[1]");
  });

  it("ranks by RICE as worked out by hand, with the open and lost amounts at stake", async () => {
    const bad = await admin("PUT", `/admin/requirements/${sso}`, { impact: 4 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("impact");
    const zero = await admin("PUT", `/admin/requirements/${sso}`, { effort: 0 });
    expect(zero.status).toBe(400);
    expect(zero.body.error.message).toContain("effort");

    await admin("PUT", `/admin/requirements/${sso}`, { impact: 2, confidence: 0.8, effort: 8 });
    await admin("PUT", `/admin/requirements/${audit}`, { impact: 3, confidence: 1, effort: 20 });
    await admin("PUT", `/admin/requirements/${dark}`, { impact: 1, confidence: 0.5, effort: 1 });

    const res = await admin("GET", "/admin/requirements");
    expect(res.status).toBe(200);
    const list = RequirementListSchema.parse(res.body);
    // SSO: 3 accounts (A twice) × 2 × 0.8 ÷ 8 = 0.6; o1 counted once: open 10,000, lost 25,000.
    // Dark mode: 1 × 1 × 0.5 ÷ 1 = 0.5. Audit: 3 × 3 × 1 ÷ 20 = 0.45; o4 was won, not at stake.
    // Offline mode has no inputs: last.
    expect(
      list.requirements.map((r) => [r.title, r.reach, r.score, r.openAmount, r.lostAmount]),
    ).toEqual([
      ["Single sign-on", 3, 0.6, 10_000, 25_000],
      ["Dark mode", 1, 0.5, 0, 0],
      ["Audit log export", 3, 0.45, 40_000, 0],
      ["Offline mode", 0, null, 0, 0],
    ]);
    expect(list.unassignedRequests).toBe(0);
    const top = await admin("GET", "/admin/requirements?top=1");
    expect(top.body.requirements.map((r: { title: string }) => r.title)).toEqual([
      "Single sign-on",
    ]);

    // Ranking reads requests, deals and memberships by key, whatever the pool's size.
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${RANKING_SQL}`)
      .bind(null, "pool", -1)
      .all<{ detail: string }>();
    const details = plan.results.map((r) => r.detail);
    for (const table of ["fr", "o"])
      expect(details.some((d) => d.startsWith(`SEARCH ${table} USING INDEX`))).toBe(true);
    expect(details.filter((d) => /^SCAN (fr|o)\b/.test(d))).toEqual([]);
  });

  it("shipping sends one Task per owner of a linked open or lost deal, once", async () => {
    const tasks = async () =>
      (
        await salesforce<{ records: { OwnerId: string; WhatId: string; Subject: string }[] }>(
          "GET",
          `/query?q=${encodeURIComponent(
            `SELECT OwnerId, WhatId, Subject FROM Task WHERE WhatId IN ('${opps.join("','")}') ORDER BY Subject`,
          )}`,
        )
      ).records.map((t) => ({ OwnerId: t.OwnerId, WhatId: t.WhatId, Subject: t.Subject }));

    const shipped = await admin("PUT", `/admin/requirements/${sso}`, { status: "shipped" });
    expect(shipped.status).toBe(200);
    expect(shipped.body.notices).toEqual({ sent: 2, alreadySent: 0, pending: 0, failed: 0 });
    expect(RequirementSchema.parse(shipped.body.requirement).shippedAt).toEqual(expect.any(String));
    // rep0 owns o1 (A, open) and o3 (C, lost): one Task, on the larger deal; rep1 owns o2 (B, lost).
    expect(await tasks()).toEqual([
      {
        OwnerId: users[0],
        WhatId: opps[0],
        Subject: `The request of A ${tag}, C ${tag} has shipped: Single sign-on`,
      },
      {
        OwnerId: users[1],
        WhatId: opps[1],
        Subject: `The request of B ${tag} has shipped: Single sign-on`,
      },
    ]);

    const again = await admin("PUT", `/admin/requirements/${sso}`, { status: "shipped" });
    expect(again.body.notices).toEqual({ sent: 0, alreadySent: 2, pending: 0, failed: 0 });
    expect(await tasks()).toHaveLength(2);
    // A shipped requirement leaves the pool's default view.
    const pool = await admin("GET", "/admin/requirements");
    expect(pool.body.requirements.map((r: { id: number }) => r.id)).not.toContain(sso);
  });

  it("a Task Salesforce refused is sent by the next PUT, and only once", async () => {
    await setSalesforceFaults([
      { kind: "status", path: "/sobjects/Task", method: "POST", status: 500, times: 1 },
    ]);
    try {
      const failed = await admin("PUT", `/admin/requirements/${audit}`, { status: "shipped" });
      expect(failed.status).toBe(200);
      expect(failed.body.notices).toMatchObject({ sent: 0, failed: 1 });
    } finally {
      await setSalesforceFaults([]);
    }
    const retried = await admin("PUT", `/admin/requirements/${audit}`, { status: "shipped" });
    // rep2 owns o4 (won: not told) and o5 (B, open).
    expect(retried.body.notices).toEqual({ sent: 1, alreadySent: 0, pending: 0, failed: 0 });
    const again = await admin("PUT", `/admin/requirements/${audit}`, { status: "shipped" });
    expect(again.body.notices).toEqual({ sent: 0, alreadySent: 1, pending: 0, failed: 0 });
    const { records } = await salesforce<{ records: { OwnerId: string }[] }>(
      "GET",
      `/query?q=${encodeURIComponent(`SELECT OwnerId FROM Task WHERE WhatId IN ('${opps[3]}', '${opps[4]}')`)}`,
    );
    expect(records).toEqual([expect.objectContaining({ OwnerId: users[2] })]);
  });

  it("a claim another call holds is left to it; a stale one is taken over, finding the Task it sent under the subject it claimed", async () => {
    // requests[3] (A, o1, rep0) moves to a requirement of its own.
    const webhooks = (
      await admin("POST", "/admin/requirements", { title: "Webhooks", requestIds: [requests[3]] })
    ).body.id;
    const subject = `The request of A ${tag} has shipped: Webhooks`;
    await env.DB.prepare(
      "INSERT INTO requirement_notices (requirement_id, owner_id, opportunity_id, subject, claimed_at) VALUES (?, ?, ?, ?, ?)",
    )
      .bind(webhooks, users[0], opps[0], subject, Date.now())
      .run();
    const busy = await admin("PUT", `/admin/requirements/${webhooks}`, { status: "shipped" });
    expect(busy.body.notices).toEqual({ sent: 0, alreadySent: 0, pending: 1, failed: 0 });

    // The other call created the Task, then died before recording it.
    const landed = await salesforce<{ id: string }>("POST", "/sobjects/Task", {
      Subject: subject,
      WhatId: opps[0],
      OwnerId: users[0],
    });
    await env.DB.prepare("UPDATE requirement_notices SET claimed_at = ? WHERE requirement_id = ?")
      .bind(Date.now() - CLAIM_LEASE_MS - 1, webhooks)
      .run();
    // Renamed since the claim: the fresh plan's subject differs from the one the Task carries.
    const renamed = await admin("PUT", `/admin/requirements/${webhooks}`, {
      title: "Signed webhooks",
    });
    expect(renamed.body.notices).toBeNull();
    const taken = await admin("PUT", `/admin/requirements/${webhooks}`, { status: "shipped" });
    expect(taken.body.notices).toEqual({ sent: 1, alreadySent: 0, pending: 0, failed: 0 });
    const held = await env.DB.prepare(
      "SELECT task_id FROM requirement_notices WHERE requirement_id = ?",
    )
      .bind(webhooks)
      .first<{ task_id: string }>();
    expect(held?.task_id).toBe(landed.id);
    const { records } = await salesforce<{ records: unknown[] }>(
      "GET",
      `/query?q=${encodeURIComponent(`SELECT Id FROM Task WHERE WhatId = '${opps[0]}' AND Subject IN ('${subject}', 'The request of A ${tag} has shipped: Signed webhooks')`)}`,
    );
    expect(records).toEqual([expect.objectContaining({ Id: landed.id })]);
  });
});
