import { describe, expect, it } from "vitest";
import { DEFAULT_LEAD_STATUS_MAP } from "../../shared/contracts/sales";
import { noteText } from "../../shared/hubspot/landed-notes";
import { DEFAULT_STAGE_MAP } from "../../shared/sales-process";
import {
  deriveOutcome,
  type MirroredLead,
  type MirroredOpportunity,
  type SalesOutcome,
} from "../../workers/outcomes/derive";
import { salesRefusalNote, salesRefusalNoteTexts } from "../../workers/outcomes/note";
import { statusMeaning } from "../../workers/outcomes/status-map";
import { outcomeProperties } from "../../workers/outcomes/write-back";

// The derivation of a Lead's sales outcome, table-tested without I/O.

const T0 = Date.parse("2026-11-02T10:00:00Z");
const lead = (extra: Partial<MirroredLead> = {}): MirroredLead => ({
  id: "00Q000000000001AAA",
  hubspot_contact_id: "101",
  status: "Open - Not Contacted",
  disqualification_reason: null,
  is_converted: 0,
  converted_contact_id: null,
  converted_account_id: null,
  converted_opportunity_id: null,
  first_touched_at: null,
  modstampMs: T0,
  ...extra,
});
const converted = (extra: Partial<MirroredLead> = {}) =>
  lead({
    status: "Closed - Converted",
    is_converted: 1,
    converted_contact_id: "003000000000001AAA",
    converted_account_id: "001000000000001AAA",
    converted_opportunity_id: "006000000000001AAA",
    first_touched_at: T0,
    ...extra,
  });
const opp = (stage_name: string, is_won = 0): MirroredOpportunity => ({
  stage_name,
  is_won,
  modstampMs: T0 + 5000,
});
const derive = (
  l: MirroredLead,
  o: MirroredOpportunity | null = null,
  previous: SalesOutcome | null = null,
  now = T0 + 60_000,
) =>
  deriveOutcome({
    lead: l,
    opportunity: o,
    previous,
    source: "organic_search",
    statusMap: DEFAULT_LEAD_STATUS_MAP,
    stageMap: DEFAULT_STAGE_MAP,
    now,
  });

describe("deriveOutcome", () => {
  it.each([
    ["Working - Contacted", null, "accepted", "salesqualifiedlead", ""],
    ["Closed - Not Converted", "No budget", "sales_rejected", null, "No budget"],
    ["Closed - Not Converted", null, "sales_rejected", null, ""],
    ["Closed - Converted", null, "converted", "salesqualifiedlead", ""],
    ["Nurturing (custom)", null, "accepted", "salesqualifiedlead", ""],
  ])(
    "status %s (reason %s) → stage %s, lifecycle %s",
    (status, reason, stage, lifecycle, feedback) => {
      expect(
        derive(lead({ status, disqualification_reason: reason, first_touched_at: T0 })),
      ).toMatchObject({ stage, lifecycle, feedback, version: 1 });
    },
  );

  it("tells nothing while the Lead is open", () => {
    expect(derive(lead())).toBeNull();
    expect(derive(lead({ status: null }))).toBeNull();
  });

  it("follows the converted opportunity through the stage map, else says converted", () => {
    expect(derive(converted(), opp("Prospecting"))).toMatchObject({
      stage: "LeadIn",
      lifecycle: "opportunity",
    });
    expect(derive(converted(), opp("Closed Won", 1))).toMatchObject({
      stage: "ClosedWon",
      lifecycle: "customer",
      won_at: T0 + 5000,
    });
    expect(derive(converted(), opp("Closed Lost"))).toMatchObject({
      stage: "ClosedLost",
      lifecycle: "opportunity",
    });
    expect(derive(converted(), opp("Some Custom Stage"))).toMatchObject({
      stage: "converted",
      lifecycle: "opportunity",
    });
    // A won deal whose stage the map does not know still makes a customer.
    expect(derive(converted(), opp("Signed (custom)", 1))).toMatchObject({
      stage: "converted",
      lifecycle: "customer",
    });
    // Converted without an opportunity.
    expect(derive(converted({ converted_opportunity_id: null }), null)).toMatchObject({
      stage: "converted",
      lifecycle: "salesqualifiedlead",
    });
  });

  it("never lowers the lifecycle a contact earned, and bumps the version only on a change", () => {
    const won = derive(converted(), opp("Closed Won", 1))!;
    const reopened = derive(converted(), opp("Negotiation/Review"), won)!;
    expect(reopened).toMatchObject({ stage: "Closing", lifecycle: "customer", version: 2 });
    const same = derive(converted(), opp("Negotiation/Review"), reopened)!;
    expect(same.version).toBe(2);
    const accepted = derive(lead({ status: "Working - Contacted" }))!;
    const refused = derive(lead({ status: "Closed - Not Converted" }), null, accepted)!;
    expect(refused).toMatchObject({ lifecycle: "salesqualifiedlead", version: 2 });
  });

  it("owes one note per Lead and reason, and keeps milestones once set", () => {
    const first = derive(
      lead({ status: "Closed - Not Converted", disqualification_reason: "Timing" }),
    )!;
    expect(first.note_key).toBe("00Q000000000001AAA:Timing");
    expect(first).toMatchObject({ rejected_at: T0, accepted_at: null, touched_at: T0 });
    const again = derive(
      lead({
        status: "Closed - Not Converted",
        disqualification_reason: "Timing",
        modstampMs: T0 + 9,
      }),
      null,
      first,
    )!;
    expect(again).toMatchObject({ note_key: first.note_key, version: 1, rejected_at: T0 });
    const changed = derive(
      lead({ status: "Closed - Not Converted", disqualification_reason: "Competitor" }),
      null,
      again,
    )!;
    expect(changed).toMatchObject({ note_key: "00Q000000000001AAA:Competitor", version: 2 });
    const accepted = derive(
      lead({ status: "Working - Contacted", modstampMs: T0 + 50 }),
      null,
      changed,
    )!;
    expect(accepted).toMatchObject({
      feedback: "",
      note_key: changed.note_key,
      rejected_at: T0,
      accepted_at: T0 + 50,
      version: 3,
    });
  });

  it("counts a status the map does not know as accepted, and an empty one as open", () => {
    expect(statusMeaning("Qualified", DEFAULT_LEAD_STATUS_MAP)).toBe("accepted");
    expect(statusMeaning("", DEFAULT_LEAD_STATUS_MAP)).toBe("open");
    expect(statusMeaning("Open - Not Contacted", { "Open - Not Contacted": "accepted" })).toBe(
      "accepted",
    );
  });
});

describe("what HubSpot is told", () => {
  it("sends lifecycle only when one is earned", () => {
    const refused = derive(
      lead({ status: "Closed - Not Converted", disqualification_reason: "Not a fit" }),
    )!;
    expect(outcomeProperties(refused)).toEqual({
      leadbridge_sales_stage: "sales_rejected",
      leadbridge_sales_feedback: "Not a fit",
    });
    expect(outcomeProperties(derive(converted(), opp("Closed Won", 1))!)).toEqual({
      leadbridge_sales_stage: "ClosedWon",
      leadbridge_sales_feedback: "",
      lifecyclestage: "customer",
    });
  });

  it("writes the refusal note in plain words with the reason escaped, and finds it by its text", () => {
    const reason = `Budget <script>alert("x")</script> & "later"`;
    const html = salesRefusalNote("00Q000000000001AAA", reason);
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain("Sales did not take this lead");
    expect(html).toContain("fix what sales found wrong");
    const text = noteText(html);
    for (const t of salesRefusalNoteTexts("00Q000000000001AAA", reason)) expect(text).toContain(t);
    expect(noteText(salesRefusalNote("00Q000000000001AAA", ""))).toContain("Sales gave no reason");
  });
});
