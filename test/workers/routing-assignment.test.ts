import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { createClients } from "../../shared/clients";
import { type Routing, RoutingSchema } from "../../shared/contracts/routing";
import { saveRouting } from "../../shared/db/routings";
import { loadConfig } from "../../shared/env";
import type { Logger } from "../../shared/log";
import { Router } from "../../workers/handoff/routing";
import { forgetActiveUsers } from "../../workers/handoff/routing-users";
import { admin } from "./admin-client";
import { countingDb, deliver, leadEvent } from "./queue-harness";
import {
  clearSalesforceRequests,
  createCompany,
  createContacts,
  createSalesforceRecord,
  qualifyingContact,
  salesforceCounts,
  salesforceLeads,
  setAssignmentRule,
  setSalesforceFaults,
  upsertHeaders,
} from "./sandboxes";

// Issue 17, assignment in the handoff (docs/routing-assignment.md): a routing in force gives each
// new Lead its owner in the upsert that creates it. Through the Worker, jsforce and the sandbox org.

const UPSERT_PATH = "/services/data/v62.0/composite/sobjects/Lead/HubSpot_Contact_Id__c";
const RULE = "01Q8d0000002RtGEAU";

let run = 0;
const unique = () => `${Date.now().toString(36)}r${++run}`;

async function createUser(active = true): Promise<string> {
  const name = `rep-${unique()}`;
  return createSalesforceRecord("User", {
    LastName: name,
    Email: `${name}@org.example`,
    Username: `${name}@org.example`,
    IsActive: active,
  });
}

const createAccount = (website: string, ownerId: string) =>
  createSalesforceRecord("Account", {
    Name: `Account ${unique()}`,
    Website: website,
    OwnerId: ownerId,
  });

/** Qualifying contacts with emails at `domain` (a fresh one each by default), in one company. */
async function contacts(n: number, domain = () => `r${unique()}.com`): Promise<string[]> {
  const company = await createCompany({ name: "Routed Robotics", numberofemployees: "250" });
  return createContacts(
    Array.from({ length: n }, () => qualifyingContact(unique(), { email: `dev@${domain()}` })),
    company,
  );
}

const handOff = (ids: string[], attempts = 1) =>
  deliver([{ events: ids.map((id) => leadEvent(id)) }], attempts);

async function ownersOf(ids: string[]): Promise<(string | undefined)[]> {
  const leads = await salesforceLeads();
  return ids.map((id) => leads.find((l) => l.HubSpot_Contact_Id__c === id)?.OwnerId);
}

const save = (routing: unknown) =>
  saveRouting(env.DB, RoutingSchema.parse(routing) as Routing, "test", "routing-assignment");

async function routingCounts() {
  const turns = await env.DB.prepare("SELECT pool, turn FROM routing_turns ORDER BY pool").all();
  const daily = await env.DB.prepare(
    "SELECT user_id, assigned FROM routing_daily ORDER BY user_id",
  ).all();
  return { turns: turns.results, daily: daily.results };
}

beforeEach(async () => {
  await setSalesforceFaults([]);
  await env.KV.delete("salesforce:usage");
  await env.DB.batch(
    ["routings", "assignments", "routing_turns", "routing_daily", "routing_revisions"].map((t) =>
      env.DB.prepare(`DELETE FROM ${t}`),
    ),
  );
  forgetActiveUsers();
  await clearSalesforceRequests();
});

describe("assignment in the handoff", () => {
  it("two active users of equal weight in one pool: four qualifying contacts, two Leads each", async () => {
    const [x, y] = [await createUser(), await createUser()];
    const { version } = await save({
      pools: [{ name: "inbound", members: [{ userId: x }, { userId: y }] }],
      accountMatch: true,
    });
    const ids = await contacts(4);
    const result = await handOff(ids);
    expect(result.explicitAcks).toEqual(result.ids);

    const owners = await ownersOf(ids);
    expect(owners.filter((o) => o === x)).toHaveLength(2);
    expect(owners.filter((o) => o === y)).toHaveLength(2);
    expect(await upsertHeaders()).toEqual(["FALSE"]);
    const leads = await salesforceLeads();
    const { body } = await admin("GET", `/admin/leads/${ids[0]}`);
    expect(body.assignment).toEqual({
      ownerId: owners[0],
      reason: "pool",
      pool: "inbound",
      routingVersion: version,
      accountId: null,
      assignedAt: expect.any(String),
      salesforceLeadId: leads.find((l) => l.HubSpot_Contact_Id__c === ids[0])!.Id,
    });

    // A privacy deletion takes the contact's assignment with it.
    await deliver([leadEvent(ids[0]!, "contact.privacyDeletion")]);
    const left = await env.DB.prepare(
      "SELECT contact_id FROM assignments ORDER BY contact_id",
    ).all();
    expect(left.results.map((r) => r.contact_id)).toEqual(ids.slice(1).sort());
  });

  it("a contact whose email domain is an Account's website goes to that Account's owner", async () => {
    const [member, accountOwner, other] = [
      await createUser(),
      await createUser(),
      await createUser(),
    ];
    const domain = `r${unique()}.com`;
    const account = await createAccount(`https://WWW.${domain}/about`, accountOwner);
    // LIKE '%domain%' finds this one too: only the exact website counts.
    await createAccount(`https://not${domain}`, other);
    await save({ pools: [{ name: "inbound", members: [{ userId: member }] }] });
    const [matched, unmatched] = await contacts(2);
    const [atDomain] = await contacts(1, () => domain);
    await handOff([matched!, unmatched!, atDomain!]);

    expect(await ownersOf([atDomain!, matched!, unmatched!])).toEqual([
      accountOwner,
      member,
      member,
    ]);
    const { body } = await admin("GET", `/admin/leads/${atDomain}`);
    expect(body.assignment).toMatchObject({
      ownerId: accountOwner,
      reason: "account_owner",
      accountId: account,
      pool: null,
    });
  });

  it("a pool's conditions pick its leads, on properties only the routing reads", async () => {
    const [emea, rest] = [await createUser(), await createUser()];
    await save({
      pools: [
        {
          name: "emea",
          when: [
            { property: "contact.phone", op: "starts_with", value: "+49" },
            { property: "contact.phone", op: "starts_with", value: "+33" },
          ],
          match: "any",
          members: [{ userId: emea }],
        },
        { name: "rest", members: [{ userId: rest }] },
      ],
    });
    const company = await createCompany({ name: "Routed Robotics", numberofemployees: "250" });
    const ids = await createContacts(
      ["+49 30 1234567", "+55 11 1234567"].map((phone) =>
        qualifyingContact(unique(), { email: `dev@r${unique()}.com`, phone }),
      ),
      company,
    );
    await handOff(ids);
    expect(await ownersOf(ids)).toEqual([emea, rest]);
  });

  it("a batch delivered again after a failed upsert reuses its assignments and advances no turn", async () => {
    const [x, y, z] = [await createUser(), await createUser(), await createUser()];
    await save({
      pools: [{ name: "retry", members: [{ userId: x }, { userId: y }, { userId: z }] }],
    });
    const ids = await contacts(2);
    await setSalesforceFaults([{ kind: "status", status: 503, path: UPSERT_PATH, times: 1 }]);
    const first = await handOff(ids);
    expect(first.explicitRetries).toHaveLength(1);
    expect(await ownersOf(ids)).toEqual([undefined, undefined]);
    const planned = await routingCounts();
    expect(planned.turns).toEqual([{ pool: "retry", turn: 2 }]);

    const second = await handOff(ids, 2);
    expect(second.explicitAcks).toEqual(second.ids);
    expect(await ownersOf(ids)).toEqual([x, y]);
    expect(await routingCounts()).toEqual(planned);
    const rows = await env.DB.prepare(
      "SELECT contact_id, owner_id, lead_id FROM assignments ORDER BY assigned_at, contact_id",
    ).all<{ owner_id: string; lead_id: string | null }>();
    expect(rows.results.map((r) => r.owner_id).sort()).toEqual([x, y].sort());
    expect(rows.results.every((r) => r.lead_id?.startsWith("00Q"))).toBe(true);
  });

  it("two batches planning at once never share a turn: the counts add up exactly", async () => {
    const [x, y] = [await createUser(), await createUser()];
    const routing = await save({
      pools: [{ name: "race", members: [{ userId: x }, { userId: y }] }],
      accountMatch: false,
    });
    const tries: number[] = [];
    const log = {
      info: (event: string, fields?: Record<string, unknown>) => {
        if (event === "routing_assigned") tries.push(fields!.tries as number);
      },
    } as unknown as Logger;
    const router = () =>
      new Router(routing, () => ({ contact: { email: "a@b.example" } }), {
        db: env.DB,
        log,
        now: Date.now,
      });
    const conn = createClients(loadConfig(env), env).salesforce;
    const [one, two] = await Promise.all([
      router().assign(conn, ["9100001", "9100002", "9100003"]),
      router().assign(conn, ["9100004", "9100005", "9100006"]),
    ]);
    // Both read the same revision before either committed: one had to plan again.
    expect(Math.max(...tries)).toBeGreaterThanOrEqual(2);
    const owners = [...one.values(), ...two.values()].map((a) => a.ownerId);
    expect(owners.filter((o) => o === x)).toHaveLength(3);
    expect(owners.filter((o) => o === y)).toHaveLength(3);
    const { daily } = await routingCounts();
    expect(daily.map((d) => d.assigned)).toEqual([3, 3]);
  });

  it("skips an inactive member and one at their daily cap, then gives the rest to the fallback owner", async () => {
    const [inactive, capped, fallback] = [
      await createUser(false),
      await createUser(),
      await createUser(),
    ];
    await save({
      pools: [
        {
          name: "capped",
          members: [{ userId: inactive }, { userId: capped, dailyCap: 1 }],
        },
      ],
      fallbackOwnerId: fallback,
    });
    const ids = await contacts(3);
    await handOff(ids);
    const owners = await ownersOf(ids);
    expect(owners.filter((o) => o === capped)).toHaveLength(1);
    expect(owners.filter((o) => o === fallback)).toHaveLength(2);
    expect(owners).not.toContain(inactive);
    const reasons = await env.DB.prepare("SELECT reason FROM assignments ORDER BY reason").all();
    expect(reasons.results.map((r) => r.reason)).toEqual([
      "fallback_owner",
      "fallback_owner",
      "pool",
    ]);
  });

  it("leaves leads no pool takes to Salesforce's assignment rules with TRUE", async () => {
    const [member, ruleOwner] = [await createUser(), await createUser()];
    await setAssignmentRule({ id: RULE, ownerId: ruleOwner });
    try {
      await save({
        pools: [
          {
            name: "vip",
            when: [{ property: "contact.hubspotscore", op: "at_least", value: 99 }],
            members: [{ userId: member }],
          },
        ],
        salesforceAssignmentRules: true,
      });
      const ids = await contacts(1);
      await handOff(ids);
      expect(await ownersOf(ids)).toEqual([ruleOwner]);
      expect(await upsertHeaders()).toEqual(["TRUE"]);
      const { body } = await admin("GET", `/admin/leads/${ids[0]}`);
      expect(body.assignment).toMatchObject({ ownerId: null, reason: "assignment_rules" });
    } finally {
      await setAssignmentRule(null);
    }
  });

  it("costs Salesforce the Account query (and the user query, uncached) per batch, whatever its size", async () => {
    const d1: number[] = [];
    const calls = async (ids: string[]) => {
      const before = (await salesforceCounts()).total;
      const { db, queries } = countingDb();
      const result = await deliver([{ events: ids.map((id) => leadEvent(id)) }], 1, {
        ...env,
        DB: db,
      });
      expect(result.explicitAcks).toEqual(result.ids);
      d1.push(queries());
      return (await salesforceCounts()).total - before;
    };
    // Warm the token and the Lead describe, so each count is a batch's own.
    await calls(await contacts(1));
    const without = await calls(await contacts(12));
    const [x, y] = [await createUser(), await createUser()];
    await save({ pools: [{ name: "count", members: [{ userId: x }, { userId: y }] }] });
    const cold = await calls(await contacts(12));
    const warm = await calls(await contacts(12));
    // Salesforce: the Account query and the User query cold, the Account query alone warm.
    expect(cold - without).toBe(2);
    expect(warm - without).toBe(1);
    expect(warm).toBeLessThan(cold);
    // D1: the state in 4 statements (one round trip), the commit in 5 (one transaction), and
    // the Lead ids in 1, whatever the batch size.
    expect(d1[3]! - d1[1]!).toBe(10);
  });
});
