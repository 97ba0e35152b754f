import { describe, expect, it } from "vitest";
import {
  checkTransition,
  DEFAULT_STAGE_MAP,
  nextState,
  SALES_STATES,
  STATE_CRITERIA,
} from "../../shared/sales-process";

describe("the sales process state machine", () => {
  it("walks the happy path event by event", () => {
    const path: string[] = ["LeadIn"];
    for (const event of [
      "QUALIFY",
      "DEMO_SCHEDULED",
      "PROPOSAL_REQUESTED",
      "VERBAL_YES",
      "CONTRACT_SIGNED",
    ] as const)
      path.push(nextState(path[path.length - 1] as never, event) ?? "REFUSED");
    expect(path).toEqual([
      "LeadIn",
      "Discovery",
      "TechnicalDemo",
      "Proposal",
      "Closing",
      "ClosedWon",
    ]);
  });

  it("allows DEAL_LOST from every open state and nothing out of a closed one", () => {
    expect(
      ["LeadIn", "Discovery", "TechnicalDemo", "Proposal", "Closing"].map((s) =>
        nextState(s as never, "DEAL_LOST"),
      ),
    ).toEqual(Array(5).fill("ClosedLost"));
    expect(nextState("ClosedWon", "DEAL_LOST")).toBeNull();
    expect(nextState("Discovery", "VERBAL_YES")).toBeNull();
  });

  it.each([
    ["Discovery", "TechnicalDemo", { legal: true, event: "DEMO_SCHEDULED" }],
    ["Discovery", "Discovery", { legal: true, event: null }],
    ["Proposal", "ClosedLost", { legal: true, event: "DEAL_LOST" }],
    ["LeadIn", "Proposal", { legal: false, reason: "skipped_states" }],
    ["Proposal", "ClosedWon", { legal: false, reason: "skipped_states" }],
    ["Closing", "Discovery", { legal: false, reason: "moved_backwards" }],
    ["ClosedLost", "Discovery", { legal: false, reason: "reopened_closed_deal" }],
  ] as const)("%s → %s", (from, to, expected) => {
    expect(checkTransition(from, to)).toEqual(expected);
  });

  it("has criteria for every state and maps every default Salesforce stage", () => {
    expect(Object.keys(STATE_CRITERIA).sort()).toEqual([...SALES_STATES].sort());
    expect(Object.keys(DEFAULT_STAGE_MAP)).toHaveLength(10);
    expect(new Set(Object.values(DEFAULT_STAGE_MAP))).toEqual(new Set(SALES_STATES));
  });
});
