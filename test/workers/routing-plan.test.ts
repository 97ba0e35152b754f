import { describe, expect, it } from "vitest";
import { type Routing, RoutingSchema } from "../../shared/contracts/routing";
import { QUERY_URI_MAX } from "../../shared/salesforce/soql-in";
import { RoutingSimulation } from "../../workers/admin/routing-preview";
import { EXTERNAL_ID_FIELD } from "../../workers/handoff/lead-mapping";
import { accountQueries, normaliseWebsite } from "../../workers/handoff/routing-accounts";
import {
  type AccountOwner,
  type Assignment,
  type PlanInput,
  planAssignments,
  type RoutingState,
  roundOf,
  type ToAssign,
} from "../../workers/handoff/routing-plan";
import { routedGroups } from "../../workers/handoff/salesforce-upsert";

// The pure planner of issue 17's routing (docs/routing-assignment.md): the combinatorics, cheaply.

const A = "005000000000001AAA";
const B = "005000000000002AAA";
const C = "005000000000003AAA";
const AT = Date.parse("2026-12-02T12:00:00Z");
const DAY = "2026-12-02";

const routingOf = (doc: unknown): Routing => RoutingSchema.parse(doc);
const emptyState = (): RoutingState => ({
  revision: 0,
  assigned: new Map(),
  turns: new Map(),
  daily: new Map(),
});
const contacts = (n: number, props: Record<string, string> = {}): ToAssign[] =>
  Array.from({ length: n }, (_, i) => ({
    contactId: String(100 + i),
    subject: { contact: { ...props } },
    domain: "example.org",
  }));

function plan(routing: Routing, input: Partial<PlanInput> = {}) {
  return planAssignments({
    routing,
    version: 3,
    contacts: contacts(4),
    state: emptyState(),
    accounts: new Map(),
    isActive: () => true,
    day: DAY,
    at: AT,
    ...input,
  });
}
const owners = (p: { fresh: Assignment[] }) => p.fresh.map((a) => a.ownerId);

describe("round_robin", () => {
  it("weights interleave within a round", () => {
    const pool = routingOf({
      pools: [
        {
          name: "inbound",
          members: [
            { userId: A, weight: 2 },
            { userId: B, weight: 1 },
            { userId: C, weight: 3 },
          ],
        },
      ],
    }).pools[0]!;
    expect(roundOf(pool)).toEqual([A, B, C, A, C, C]);
  });

  it("takes turns from the stored turn and moves it past the last one given", () => {
    const routing = routingOf({
      pools: [{ name: "inbound", members: [{ userId: A }, { userId: B }, { userId: C }] }],
    });
    const state = { ...emptyState(), turns: new Map([["inbound", 1]]) };
    const p = plan(routing, { state });
    expect(owners(p)).toEqual([B, C, A, B]);
    expect(p.turns).toEqual(new Map([["inbound", 2]]));
    expect(p.added).toEqual(
      new Map([
        [A.slice(0, 15), 1],
        [B.slice(0, 15), 2],
        [C.slice(0, 15), 1],
      ]),
    );
    expect(p.fresh[0]).toEqual({
      contactId: "100",
      ownerId: B,
      reason: "pool",
      pool: "inbound",
      accountId: null,
      routingVersion: 3,
      day: DAY,
      assignedAt: AT,
    });
  });

  it("skips inactive members and members at their cap (counting this batch's leads)", () => {
    const routing = routingOf({
      pools: [
        {
          name: "inbound",
          members: [{ userId: A, dailyCap: 2 }, { userId: B }, { userId: C }],
        },
      ],
    });
    const state = { ...emptyState(), daily: new Map([[A.slice(0, 15), 1]]) };
    const p = plan(routing, {
      state,
      contacts: contacts(5),
      isActive: (u) => u !== B,
    });
    // A has 1 of 2 today: one more, then only C.
    expect(owners(p)).toEqual([A, C, C, C, C]);
  });
});

describe("fewest_today", () => {
  it("gives the lead to the fewest today ÷ weight, ties in member order", () => {
    const routing = routingOf({
      pools: [
        {
          name: "inbound",
          method: "fewest_today",
          members: [{ userId: A }, { userId: B, weight: 2 }],
        },
      ],
    });
    const state = { ...emptyState(), daily: new Map([[A.slice(0, 15), 1]]) };
    const p = plan(routing, { state, contacts: contacts(4) });
    // A 1/1, B 0/2 → B; B 1/2 → B; B 2/2 = A 1 → A (member order); A 2, B 1 → B.
    expect(owners(p)).toEqual([B, B, A, B]);
    expect(p.turns.size).toBe(0);
  });
});

describe("order of decision", () => {
  const accounts = new Map<string, AccountOwner>([
    ["example.org", { accountId: "001000000000001AAA", ownerId: C, ownerActive: true }],
  ]);

  it("an Account's active owner first; an inactive one falls to the pools", () => {
    const routing = routingOf({ pools: [{ name: "inbound", members: [{ userId: A }] }] });
    const p = plan(routing, { accounts, contacts: contacts(1) });
    expect(p.fresh[0]).toMatchObject({
      ownerId: C,
      reason: "account_owner",
      accountId: "001000000000001AAA",
      pool: null,
    });
    const inactive = new Map([
      ["example.org", { ...accounts.get("example.org")!, ownerActive: false }],
    ]);
    expect(plan(routing, { accounts: inactive, contacts: contacts(1) }).fresh[0]).toMatchObject({
      ownerId: A,
      reason: "pool",
    });
    const off = routingOf({ ...routing, accountMatch: false });
    expect(owners(plan(off, { accounts, contacts: contacts(1) }))).toEqual([A]);
  });

  it("the first pool whose conditions the contact meets; a full pool falls through", () => {
    const routing = routingOf({
      pools: [
        {
          name: "emea",
          when: [{ property: "contact.country", op: "in", value: ["Germany", "France"] }],
          members: [{ userId: A, dailyCap: 1 }],
        },
        { name: "everyone", members: [{ userId: B }] },
      ],
      fallbackOwnerId: C,
    });
    const p = plan(routing, {
      contacts: [
        { contactId: "1", subject: { contact: { country: "Germany" } } },
        { contactId: "2", subject: { contact: { country: "Brazil" } } },
        { contactId: "3", subject: { contact: { country: "France" } } },
      ],
    });
    expect(p.fresh.map((a) => [a.ownerId, a.pool])).toEqual([
      [A, "emea"],
      [B, "everyone"],
      [B, "everyone"],
    ]);
  });

  it("then the fallback owner, Salesforce's rules, or the integration user", () => {
    const pools = [
      {
        name: "vip",
        when: [{ property: "contact.hubspotscore", op: "at_least", value: 90 }],
        members: [{ userId: A }],
      },
    ];
    const fallback = plan(routingOf({ pools, fallbackOwnerId: C }), { contacts: contacts(1) });
    expect(fallback.fresh[0]).toMatchObject({ ownerId: C, reason: "fallback_owner", pool: null });
    expect(fallback.added).toEqual(new Map([[C.slice(0, 15), 1]]));
    const rules = plan(routingOf({ pools, salesforceAssignmentRules: true }), {
      contacts: contacts(1),
    });
    expect(rules.fresh[0]).toMatchObject({ ownerId: null, reason: "assignment_rules" });
    expect(rules.added.size).toBe(0);
    const none = plan(routingOf({ pools }), { contacts: contacts(1) });
    expect(none.fresh[0]).toMatchObject({ ownerId: null, reason: "integration_user" });
    const inactiveFallback = plan(routingOf({ pools, fallbackOwnerId: C }), {
      contacts: contacts(1),
      isActive: (u) => u !== C,
    });
    expect(inactiveFallback.fresh[0]).toMatchObject({ reason: "integration_user" });
  });

  it("reuses a contact's earlier assignment: no turn moved, nothing counted", () => {
    const routing = routingOf({
      pools: [{ name: "inbound", members: [{ userId: A }, { userId: B }] }],
    });
    const earlier: Assignment = {
      contactId: "100",
      ownerId: B,
      reason: "pool",
      pool: "inbound",
      accountId: null,
      routingVersion: 2,
      day: "2026-12-01",
      assignedAt: AT - 86_400_000,
    };
    const p = plan(routing, {
      contacts: contacts(1),
      state: { ...emptyState(), assigned: new Map([["100", earlier]]) },
    });
    expect(p.assignments.get("100")).toBe(earlier);
    expect(p.fresh).toEqual([]);
    expect(p.turns.size).toBe(0);
    expect(p.added.size).toBe(0);
  });
});

describe("the preview's replay (routing-preview.ts)", () => {
  const replay = (routing: Routing, leads: number, isActive = (_: string) => true) => {
    const simulation = new RoutingSimulation(routing, "UTC", isActive);
    for (let i = 0; i < leads; i++)
      simulation.add({
        contactId: String(100 + i),
        handedOffAt: AT + i,
        contact: { email: `c${i}@example.org` },
        company: null,
      });
    return simulation.result({ days: 1, from: "", to: "" });
  };

  it("plans as assignment does: a pool without conditions takes every lead, even with match any", () => {
    const routing = routingOf({
      pools: [{ name: "all", match: "any", members: [{ userId: A, weight: 2 }, { userId: B }] }],
    });
    const preview = replay(routing, 4);
    expect(preview.pools[0]).toMatchObject({ matched: 4, leads: 4, overflow: 0 });
    expect(preview.pools[0]!.members.map((m) => m.leads)).toEqual(
      [A, B].map((u) => owners(plan(routing)).filter((o) => o === u).length),
    );
  });

  it("a full pool falls through to the next matching one; an inactive fallback owner is not it", () => {
    const routing = routingOf({
      pools: [
        { name: "first", members: [{ userId: A, dailyCap: 1 }] },
        { name: "second", members: [{ userId: B, dailyCap: 1 }] },
      ],
      fallbackOwnerId: C,
      salesforceAssignmentRules: false,
    });
    const preview = replay(routing, 3, (u) => u !== C);
    expect(preview.pools.map((p) => [p.matched, p.leads, p.overflow])).toEqual([
      [3, 1, 2],
      [2, 1, 1],
    ]);
    expect(preview.fallback).toEqual({
      leads: 1,
      unmatched: 0,
      overflow: 1,
      decidedBy: "integration_user",
      ownerId: null,
    });
  });
});

describe("websites and the Account query", () => {
  it.each([
    ["https://www.Acme.com/about?x=1", "acme.com"],
    ["http://acme.com:8080", "acme.com"],
    ["acme.com/", "acme.com"],
    ["WWW.ACME.COM.", "acme.com"],
    ["  shop.acme.co.uk  ", "shop.acme.co.uk"],
    ["https://", undefined],
  ])("%j is %j", (website, host) => {
    expect(normaliseWebsite(website)).toBe(host);
  });

  it("asks once for a batch's domains, free-mail ones left out, and splits only past the URI limit", () => {
    const [soql, ...more] = accountQueries(["acme.com", "gmail.com", "Acme.com", "globex.io"]);
    expect(more).toEqual([]);
    expect(soql).toBe(
      "SELECT Id, Website, OwnerId, Owner.IsActive FROM Account WHERE Website LIKE '%acme.com%' OR Website LIKE '%globex.io%'",
    );
    expect(accountQueries(["yahoo.co.uk"])).toEqual([]);
    const many = Array.from({ length: 1_000 }, (_, i) => `company-${i}.example`);
    const statements = accountQueries(many);
    expect(statements.length).toBeGreaterThan(1);
    for (const s of statements) expect(encodeURIComponent(s).length).toBeLessThan(QUERY_URI_MAX);
    expect(statements.join(" ").match(/LIKE/g)).toHaveLength(1_000);
  });
});

describe("upsert groups with a routing", () => {
  it("owners in the payload with FALSE beside the updates; Salesforce's rules with TRUE", () => {
    const lead = (id: string) => ({ [EXTERNAL_ID_FIELD]: id, LastName: "x" });
    const assigned = new Map<string, Assignment>(
      (
        [
          ["1", A, "pool"],
          ["2", null, "assignment_rules"],
          ["3", null, "integration_user"],
        ] as const
      ).map(([id, ownerId, reason]) => [
        id,
        {
          contactId: id,
          ownerId,
          reason,
          pool: null,
          accountId: null,
          routingVersion: 1,
          day: DAY,
          assignedAt: AT,
        },
      ]),
    );
    const groups = routedGroups(
      [
        { lead: lead("0"), hasLeadId: true },
        { lead: lead("1"), hasLeadId: false },
        { lead: lead("2"), hasLeadId: false },
        { lead: lead("3"), hasLeadId: false },
      ],
      assigned,
    );
    expect(groups).toEqual([
      {
        autoAssign: "FALSE",
        leads: [lead("0"), { ...lead("1"), OwnerId: A }, lead("3")],
      },
      { autoAssign: "TRUE", leads: [lead("2")] },
    ]);
  });
});
