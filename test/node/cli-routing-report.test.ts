import { describe, expect, it } from "vitest";
import { routingLines } from "../../cli/routing-report";
import type { RoutingSection } from "../../shared/contracts/report";

// Issue 17: `npm run admin -- report` (and the demo) print the report's routing section.

const none = {
  firstBreaches: 0,
  secondBreaches: 0,
  reassigned: 0,
  reassignFailed: 0,
  alertsSent: 0,
  alertsGivenUp: 0,
  alertsPending: 0,
};

describe("routingLines", () => {
  it("prints assignments by reason, each rep against their cap, first touch and the SLA by pool", () => {
    const section: RoutingSection = {
      routingVersion: 3,
      firstTouch: {
        p50Ms: 20 * 60_000,
        p95Ms: 3 * 3_600_000,
        count: 3,
        byRep: [
          { ownerId: "005A", ownerName: "Ada Rep", p50Ms: 600_000, p95Ms: 600_000, count: 1 },
        ],
        byPool: [{ pool: "inbound", p50Ms: 600_000, p95Ms: 3 * 3_600_000, count: 3 }],
      },
      assignments: {
        total: 4,
        byRep: [
          { ownerId: "005A", ownerName: "Ada Rep", assigned: 3, dailyCap: 10 },
          { ownerId: null, ownerName: null, assigned: 1, dailyCap: null },
        ],
        byPool: [{ pool: "inbound", assigned: 3 }],
        byReason: [
          { reason: "pool", count: 3 },
          { reason: "assignment_rules", count: 1 },
        ],
      },
      sla: {
        ...none,
        firstBreaches: 2,
        reassigned: 1,
        alertsSent: 1,
        alertsPending: 1,
        byPool: [
          {
            pool: "inbound",
            ...none,
            firstBreaches: 2,
            reassigned: 1,
            alertsSent: 1,
            alertsPending: 1,
          },
        ],
      },
    };
    expect(routingLines(section)).toEqual([
      "  routing v3: 4 assigned (pool 3, assignment_rules 1)",
      "    first touch p50 20 min, p95 3 h over 3; by pool inbound 10 min/3 h",
      "    per rep Ada Rep 3 (cap 10, first touch p50 10 min), no rep (Salesforce decided) 1 (no cap)",
      "    SLA 2 first and 0 second breaches, 1 reassigned, alerts 1 sent, 0 given up, 1 pending; inbound 2+0 breaches, 1 reassigned, alerts 1 sent/0 given up/1 pending",
    ]);
  });

  it("says so when no routing is saved and nothing was assigned", () => {
    const lines = routingLines({
      routingVersion: null,
      firstTouch: { p50Ms: null, p95Ms: null, count: 0, byRep: [], byPool: [] },
      assignments: { total: 0, byRep: [], byPool: [], byReason: [] },
      sla: { ...none, byPool: [] },
    });
    expect(lines[0]).toBe("  routing (none saved): 0 assigned");
    expect(lines[2]).toBe("    per rep none");
  });
});
