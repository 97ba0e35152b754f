import { describe, expect, it } from "vitest";
import { type Pool, PoolSchema } from "../../shared/contracts/routing";
import { nextMember, planBreach, toSlackAlert } from "../../workers/sla/breach";

// What a breach does (workers/sla/breach.ts), pure: who the Lead goes to, and the alert's words.

const A = "005000000000001AAA";
const B = "005000000000002AAA";
const C = "005000000000003AAA";
const M = "005000000000009AAA";
const pool = (members: string[], managerUserId: string | null = M): Pool =>
  PoolSchema.parse({
    name: "inbound",
    members: members.map((userId) => ({ userId })),
    managerUserId,
  });
const sla = (over: Record<string, boolean> = {}) => ({
  minutes: 30,
  businessHours: false,
  reassign: true,
  alert: true,
  ...over,
});

describe("nextMember", () => {
  it.each([
    ["the member after the owner", [A, B, C], A, [], B],
    ["wrapping round", [A, B, C], C, [], A],
    ["skipping a user known inactive", [A, B, C], A, [B], C],
    ["a 15-character owner id", [A, B, C], A.slice(0, 15), [], B],
    ["an owner outside the pool: the first member", [A, B], C, [], A],
    ["nobody but the owner left", [A, B], A, [B], null],
    ["a pool of one", [A], A, [], null],
  ])("%s", (_, members, owner, inactive, expected) => {
    const out = nextMember(
      pool(members as string[]),
      owner as string,
      new Set((inactive as string[]).map((id) => id.slice(0, 15))),
    );
    expect(out).toBe(expected);
  });
});

describe("planBreach", () => {
  // The second timer after a first breach, and none after the second: sla.test.ts.
  it("first breach: the next member and an alert", () => {
    expect(planBreach(1, sla(), pool([A, B]), A, new Set())).toEqual({ toOwner: B, alert: true });
  });
  it("first breach without reassign or alert: the Lead stays, no alert", () => {
    expect(
      planBreach(1, sla({ reassign: false, alert: false }), pool([A, B]), A, new Set()),
    ).toEqual({ toOwner: null, alert: false });
  });
  it("second breach: the manager and an alert", () => {
    expect(planBreach(2, sla(), pool([A, B]), B, new Set())).toEqual({ toOwner: M, alert: true });
  });
  it("second breach with no manager, or the manager already owning it: it stays", () => {
    expect(planBreach(2, sla(), pool([A, B], null), B, new Set()).toOwner).toBeNull();
    expect(planBreach(2, sla(), pool([A, B]), M, new Set()).toOwner).toBeNull();
  });
});

describe("toSlackAlert", () => {
  const facts = {
    breach: 1 as const,
    leadId: "00Q000000000001AAA",
    leadUrl: "https://org.my.salesforce.com/lightning/r/Lead/00Q000000000001AAA/view",
    pool: "inbound",
    minutes: 30,
    fromOwner: A,
    toOwner: B,
    reassignError: null,
    manager: M,
    names: new Map([[A.slice(0, 15), "Alice Rep"]]),
  };
  it("says what lapsed and where the Lead went, with a button to it", () => {
    const body = toSlackAlert(facts);
    expect(body.text).toBe(
      `SLA breach: Lead 00Q000000000001AAA in pool inbound was not touched within 30 minutes by Alice Rep (${A}). Reassigned to ${B}.`,
    );
    expect(body.blocks).toEqual([
      { type: "section", text: { type: "mrkdwn", text: body.text } },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            text: { type: "plain_text", text: "Open the Lead" },
            url: facts.leadUrl,
          },
        ],
      },
    ]);
  });
  it("names the manager on a second breach, and a refused reassignment", () => {
    const body = toSlackAlert({
      ...facts,
      breach: 2,
      toOwner: M,
      reassignError: "INACTIVE_OWNER_OR_USER",
    });
    expect(body.text).toContain(`Reassigning it to ${M} failed: INACTIVE_OWNER_OR_USER.`);
    expect(body.text).toContain(`Second breach: escalated to the pool's manager, ${M}.`);
  });
});
