// The outage run, small: ~100 leads arrive through the real stack (wrangler dev, both sandboxes)
// while HubSpot, then Salesforce, then D1 stay down. No timing is asserted.
import { describe, expect, it } from "vitest";
import { type OutageResult, outageLine, runOutage } from "./outage";

describe("outage: HubSpot, then Salesforce, then D1 down while leads keep arriving", () => {
  let result: OutageResult;

  it("settles every lead exactly once, handed off or refused with feedback, none dead-lettered", async () => {
    // Phases of about 45 s (the HubSpot one longer or shorter by how long the Worker took to start
    // against its 30 s allowance) and D1 for 20 s. The wait allows Leadbridge's longest pause
    // between tries (15 minutes).
    result = await runOutage({
      leads: 100,
      phaseMs: 45_000,
      d1Ms: 20_000,
      startAllowanceMs: 30_000,
    });
    console.log(outageLine(result), JSON.stringify(result.phases));
    expect({
      lost: result.lost,
      duplicates: result.duplicates,
      missingFeedback: result.missingFeedback,
      deadLettered: result.deadLettered,
      unexpected: result.unexpected,
      examples: result.examples,
    }).toEqual({
      lost: 0,
      duplicates: 0,
      missingFeedback: 0,
      deadLettered: 0,
      unexpected: 0,
      examples: { lost: [], duplicates: [], missingFeedback: [], unexpected: [] },
    });
    expect(result.settled).toBe(true);
    expect(result.handedOff + result.refused).toBe(result.leads);
  }, 1_500_000);

  it("really took each dependency down while leads arrived", () => {
    expect(result, "the run above did not finish").toBeDefined();
    const fired: Record<string, string[]> = {
      hubspot: ["hubspot status 503", "hubspot rate_limit"],
      salesforce: ["salesforce status 503", "salesforce expire_session"],
      d1: ["d1 unavailable"],
    };
    expect(result.phases.map((p) => p.dependency)).toEqual(["hubspot", "salesforce", "d1"]);
    for (const phase of result.phases) {
      expect(phase.leads, `leads arriving while ${phase.dependency} was down`).toBeGreaterThan(0);
      for (const fault of fired[phase.dependency]!)
        expect(phase.faultHits[fault], fault).toBeGreaterThan(0);
    }
  });
});
