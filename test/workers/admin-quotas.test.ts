import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  QuotasSchema,
  RepListSchema,
  RepViewSchema,
  TelemetryConfigSchema,
} from "../../shared/contracts/admin";
import { salesforceId18 } from "../../shared/salesforce/ids";
import { admin } from "./admin-client";
import { salesforceUrl, setSalesforceFaults } from "./sandboxes";

// Issue 18 (B): reps' quotas, start dates and the ramp share through the admin API, checked
// against the sandbox Salesforce org's Users, and used by the next nightly report.

/** A User created over REST, as an admin's tools would; its Id and Username. */
async function createUser(lastName: string, startDate: string | null, isActive = true) {
  const auth = await fetch(`${salesforceUrl()}/services/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials&client_id=sandbox-sf-client-id&client_secret=sandbox-sf-client-secret",
  });
  const { access_token } = (await auth.json()) as { access_token: string };
  const username = `${lastName.toLowerCase()}.${Date.now()}@quotas.example`;
  const res = await fetch(`${salesforceUrl()}/services/data/v62.0/sobjects/User`, {
    method: "POST",
    headers: { authorization: `Bearer ${access_token}`, "content-type": "application/json" },
    body: JSON.stringify({
      LastName: lastName,
      Email: username,
      Username: username,
      IsActive: isActive,
      Start_Date__c: startDate,
    }),
  });
  expect(res.status).toBe(201);
  return { id: ((await res.json()) as { id: string }).id, username };
}

/** Closed-won amounts as the nightly's sales facts record them (sf.won_amount by owner). */
async function won(owner: string, rows: [day: string, amount: number][]) {
  await env.DB.batch(
    rows.map(([day, amount]) =>
      env.DB.prepare(
        "INSERT INTO telemetry_daily (day, metric, dim, value) VALUES (?, 'sf.won_amount', ?, ?)",
      ).bind(day, owner, amount),
    ),
  );
}

let ava: { id: string; username: string };
let ben: { id: string; username: string };
let former: { id: string; username: string };

beforeAll(async () => {
  await setSalesforceFaults([]);
  [ava, ben, former] = await Promise.all([
    createUser("Quota-Ava", "2026-02-01"),
    createUser("Quota-Ben", null),
    createUser("Quota-Former", null, false),
  ]);
});

describe("quotas through the admin API", () => {
  it("sets and reads standing and monthly quotas; a monthly row overrides the standing one in the report", async () => {
    const put = await admin("PUT", "/admin/quotas", {
      reps: [
        {
          rep: ava.id.slice(0, 15),
          quotas: [
            { month: "2026-04", amount: 50_000 },
            { month: "*", amount: 40_000 },
          ],
        },
        { rep: ben.username, quotas: [{ month: "*", amount: 30_000 }] },
      ],
    });
    expect(put.status, put.text).toBe(200);
    const read = QuotasSchema.parse((await admin("GET", "/admin/quotas")).body);
    expect(read).toEqual(put.body);
    // Ava named by her 15-character Id is stored under the 18 that sf_users holds.
    expect(read.reps.map((r) => [r.rep, r.quotas])).toEqual(
      [
        [
          salesforceId18(ava.id.slice(0, 15)),
          [
            { month: "*", amount: 40_000 },
            { month: "2026-04", amount: 50_000 },
          ],
        ],
        [ben.username, [{ month: "*", amount: 30_000 }]],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );

    // Replacing Ava's by Username drops the rows under her Id: none is left to shadow them.
    const again = await admin("PUT", "/admin/quotas", {
      reps: [
        {
          rep: ava.username,
          quotas: [
            { month: "*", amount: 40_000 },
            { month: "2026-04", amount: 50_000 },
          ],
        },
      ],
    });
    expect(again.status, again.text).toBe(200);
    expect(again.body.reps.map((r: { rep: string }) => r.rep).sort()).toEqual(
      [ava.username, ben.username].sort(),
    );

    await won(ava.id, [
      ["2026-03-10", 20_000],
      ["2026-04-05", 30_000],
    ]);
    const run = await admin("POST", "/admin/telemetry/run?date=2026-04-15");
    expect(run.status, run.text).toBe(200);
    const attainment = run.body.report.quotaAttainment.find(
      (q: { ownerId: string }) => q.ownerId === ava.id,
    );
    expect(attainment).toMatchObject({
      month: "2026-04",
      quota: 50_000,
      closedWonAmount: 30_000,
      attainment: 0.6,
    });
    expect(
      run.body.report.quotaAttainment.find((q: { ownerId: string }) => q.ownerId === ben.id),
    ).toMatchObject({ quota: 30_000, closedWonAmount: 0, attainment: 0 });
  });

  it("refuses a bad month, amount or rep with a 400 naming the field, saving nothing", async () => {
    const before = (await admin("GET", "/admin/quotas")).body;
    const cases: [unknown, string][] = [
      [
        { reps: [{ rep: ben.username, quotas: [{ month: "2026-13", amount: 1 }] }] },
        "reps[0].quotas[0].month",
      ],
      [
        { reps: [{ rep: ben.username, quotas: [{ month: "April", amount: 1 }] }] },
        "reps[0].quotas[0].month",
      ],
      [
        { reps: [{ rep: ben.username, quotas: [{ month: "*", amount: -5 }] }] },
        "reps[0].quotas[0].amount",
      ],
      [
        { reps: [{ rep: ben.username, quotas: [{ month: "*", amount: "lots" }] }] },
        "reps[0].quotas[0].amount",
      ],
      [{ reps: [{ rep: "Ben", quotas: [] }] }, "reps[0].rep"],
      [
        {
          reps: [
            {
              rep: ben.username,
              quotas: [
                { month: "*", amount: 1 },
                { month: "*", amount: 2 },
              ],
            },
          ],
        },
        "reps[0].quotas[1].month",
      ],
      [
        {
          reps: [
            { rep: ben.username, quotas: [] },
            { rep: ben.username.toUpperCase(), quotas: [] },
          ],
        },
        "reps[1].rep",
      ],
      [
        {
          reps: [
            { rep: ava.id, quotas: [] },
            { rep: ava.id.slice(0, 15), quotas: [] },
          ],
        },
        "reps[1].rep",
      ],
      // Checked against Salesforce: an unknown Id, a wrong checksum, an unknown Username, and a
      // quota for an inactive User.
      [{ reps: [{ rep: "005000000000ZZZ", quotas: [] }] }, "reps[0].rep"],
      [{ reps: [{ rep: `${ava.id.slice(0, 15)}ZZZ`, quotas: [] }] }, "reps[0].rep"],
      [{ reps: [{ rep: "nobody@quotas.example", quotas: [] }] }, "reps[0].rep"],
      [{ reps: [{ rep: former.id, quotas: [{ month: "*", amount: 1 }] }] }, "reps[0].rep"],
    ];
    for (const [body, field] of cases) {
      const res = await admin("PUT", "/admin/quotas", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message, JSON.stringify(body)).toContain(field);
    }
    // An inactive User's quotas can still be removed.
    expect(
      (await admin("PUT", "/admin/quotas", { reps: [{ rep: former.id, quotas: [] }] })).status,
    ).toBe(200);
    expect((await admin("GET", "/admin/quotas")).body).toEqual(before);
  });

  it("refuses one User named by Id and by Username (400 at reps[1].rep), saving nothing", async () => {
    const before = (await admin("GET", "/admin/quotas")).body;
    // Told apart only once Salesforce resolves them: saved, the Username's rows would replace
    // the Id's in the same batch and drop them.
    const res = await admin("PUT", "/admin/quotas", {
      reps: [
        { rep: ben.id, quotas: [{ month: "*", amount: 1 }] },
        { rep: ben.username, quotas: [{ month: "2026-05", amount: 2 }] },
      ],
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.message).toContain("reps[1].rep");
    expect(res.body.error.fields).toEqual([
      expect.objectContaining({
        field: "reps[1].rep",
        problem: expect.stringContaining("reps[0].rep"),
      }),
    ]);
    expect((await admin("GET", "/admin/quotas")).body).toEqual(before);
  });

  it("saves nothing when Salesforce cannot be reached to check the reps (503)", async () => {
    const before = (await admin("GET", "/admin/quotas")).body;
    await setSalesforceFaults([{ kind: "status", status: 503, path: "/query" }]);
    try {
      const res = await admin("PUT", "/admin/quotas", {
        reps: [{ rep: ben.username, quotas: [{ month: "*", amount: 1 }] }],
      });
      expect(res.status).toBe(503);
    } finally {
      await setSalesforceFaults([]);
    }
    expect((await admin("GET", "/admin/quotas")).body).toEqual(before);
  });
});

describe("start dates and the ramp share", () => {
  it("a start date set through the API beats Start_Date__c in time to ramp; the next report uses a new ramp share", async () => {
    // Mirror both users (the nightly's pull), then read them back with Salesforce's start date.
    await admin("POST", "/admin/telemetry/run?date=2026-04-15");
    const listed = RepListSchema.parse((await admin("GET", "/admin/reps")).body);
    expect(listed.reps.find((r) => r.userId === ava.id)).toMatchObject({
      salesforceStartDate: "2026-02-01",
      startDateOverride: null,
      startDate: "2026-02-01",
    });

    const set = await admin("PUT", `/admin/reps/${ava.id.slice(0, 15)}`, {
      startDate: "2026-03-01",
    });
    expect(set.status, set.text).toBe(200);
    expect(RepViewSchema.parse(set.body)).toMatchObject({
      userId: ava.id,
      salesforceStartDate: "2026-02-01",
      startDateOverride: "2026-03-01",
      startDate: "2026-03-01",
    });
    expect((await admin("PUT", `/admin/reps/${ava.id}`, { startDate: "2026-02-30" })).status).toBe(
      400,
    );
    const unknown = await admin("PUT", "/admin/reps/005000000000ZZZ", { startDate: "2026-03-01" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain("path.userId");

    const config = TelemetryConfigSchema.parse(
      (await admin("GET", "/admin/telemetry-config")).body,
    );
    expect(config).toEqual({ rampQuotaShare: 0.8, staleAfterDays: 5 });

    // Quota 40,000 standing, 50,000 in April; 30,000 won on 04-05 (set by the first test), and
    // 20,000 in March: March 20,000 < 32,000; April 30,000 < 40,000 (80%), so not ramped yet.
    const ramp = async () =>
      (await admin("POST", "/admin/telemetry/run?date=2026-04-15")).body.report.timeToRamp.find(
        (r: { ownerId: string }) => r.ownerId === ava.id,
      );
    expect(await ramp()).toMatchObject({ startDate: "2026-03-01", threshold: 0.8, rampedOn: null });

    const put = await admin("PUT", "/admin/telemetry-config", { rampQuotaShare: 0.5 });
    expect(put.status, put.text).toBe(200);
    expect(put.body).toEqual({ rampQuotaShare: 0.5, staleAfterDays: 5 });
    // 50% of March's 40,000 is 20,000: reached on 03-10, nine days after the override's start.
    expect(await ramp()).toMatchObject({
      startDate: "2026-03-01",
      threshold: 0.5,
      rampedMonth: "2026-03",
      rampedOn: "2026-03-10",
      daysToRamp: 9,
    });

    // Dropping the override: Salesforce's 2026-02-01 counts again (37 days to 03-10).
    await admin("PUT", `/admin/reps/${ava.id}`, { startDate: null });
    expect(await ramp()).toMatchObject({ startDate: "2026-02-01", daysToRamp: 37 });

    for (const bad of [
      { rampQuotaShare: 0 },
      { rampQuotaShare: 1.5 },
      { staleAfterDays: 0 },
      { staleAfterDays: 2.5 },
      {},
      { rampShare: 0.5 },
    ]) {
      const res = await admin("PUT", "/admin/telemetry-config", bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    const named = await admin("PUT", "/admin/telemetry-config", { staleAfterDays: 91 });
    expect(named.body.error.message).toContain("staleAfterDays");
    expect((await admin("GET", "/admin/telemetry-config")).body).toEqual({
      rampQuotaShare: 0.5,
      staleAfterDays: 5,
    });
  });
});
