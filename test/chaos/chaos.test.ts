// The fault run, small: a few hundred leads through the real stack (wrangler dev, both
// sandboxes) while every fault of the chaos plan fires. No timing is asserted.
import { describe, expect, it } from "vitest";
import { summaryLine } from "./account";
import { type ChaosResult, runChaos } from "./run";

describe("chaos: leads under Salesforce, HubSpot and consumer faults", () => {
  let result: ChaosResult;

  it("settles every lead exactly once: in Salesforce, refused with feedback, or dead-lettered", async () => {
    // `small`: every fault on a bounded schedule, so each surely fires. The wait allows a contact's
    // whole retry window (a contact failing five deliveries in a row is retried for ~6 minutes).
    result = await runChaos({ leads: 200, small: true });
    console.log(summaryLine(result, result.seconds), result.faultHits);
    expect({
      lost: result.lost,
      duplicates: result.duplicates,
      missingFeedback: result.missingFeedback,
      examples: result.examples,
    }).toEqual({
      lost: 0,
      duplicates: 0,
      missingFeedback: 0,
      examples: { lost: [], duplicates: [], missingFeedback: [], unexpected: [] },
    });
    expect(result.handedOff + result.refused + result.deadLettered).toBe(result.leads);
    expect(result.unexpected).toBe(0);
  }, 720_000);

  it("really injected every fault", () => {
    expect(result, "the run above did not finish").toBeDefined();
    const faults = [
      "hubspot rate_limit",
      "hubspot webhook_duplicate",
      "hubspot status 400",
      "salesforce lock_row",
      "salesforce status 503",
      "salesforce expire_session",
    ];
    for (const fault of faults) {
      expect(result.faultHits[fault], fault).toBeGreaterThan(0);
    }
  });
});
