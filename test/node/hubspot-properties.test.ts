import { describe, expect, it } from "vitest";
import { PropertySchema } from "../../sandbox/hubspot/property-schema";
import { validatePropertyWrite } from "../../sandbox/hubspot/property-values";
import { SALES_STAGES } from "../../shared/contracts/sales";
import { LEADBRIDGE_PROPERTIES, missingOptions } from "../../shared/hubspot/properties";
import {
  existingContactFeedback,
  handedOffFeedback,
  toFeedback,
} from "../../workers/handoff/feedback";

// An enumeration refuses a value outside its options, so what the Worker writes must be one.
const schema = new PropertySchema();
const accepts = (properties: Record<string, string>) =>
  validatePropertyWrite(schema, "contacts", properties, 62515, { creating: false });

describe("the leadbridge_* property definitions", () => {
  it("hold every status the handoff writes, as the sandbox checks it", () => {
    const writes = [
      handedOffFeedback("101", "00Q000000000001"),
      existingContactFeedback("102", "003000000000001"),
      toFeedback("103", [{ code: "webmail", message: "Use a business email" }], 1, null),
    ].map((f) => f.properties);
    for (const properties of writes) {
      for (const name of Object.keys(properties))
        expect(LEADBRIDGE_PROPERTIES.map((p) => p.name)).toContain(name);
      expect(() => accepts(properties)).not.toThrow();
    }
    expect(writes.map((p) => p.leadbridge_status)).toEqual([
      "handed_off",
      "existing_contact",
      "rejected",
    ]);
  });

  it("hold every sales stage the outcome sync writes", () => {
    for (const stage of SALES_STAGES)
      expect(() => accepts({ leadbridge_sales_stage: stage })).not.toThrow();
    expect(() => accepts({ leadbridge_sales_stage: "won" })).toThrow(/INVALID_OPTION/);
  });

  it("are all in the leadbridge group with a description; only enumerations have options", () => {
    for (const p of LEADBRIDGE_PROPERTIES) {
      expect(p.name).toMatch(/^leadbridge_[a-z_]+$/);
      expect(p.groupName).toBe("leadbridge");
      expect(p.description.length).toBeGreaterThan(10);
      if (p.type === "enumeration") expect(p.options?.length).toBeGreaterThan(0);
      else expect(p.options).toBeUndefined();
    }
  });

  it("name the options a portal's definition lacks", () => {
    const stage = LEADBRIDGE_PROPERTIES.find((p) => p.name === "leadbridge_sales_stage")!;
    expect(missingOptions(stage, { options: [{ value: "accepted" }, { value: "other" }] })).toEqual(
      SALES_STAGES.filter((s) => s !== "accepted"),
    );
    expect(missingOptions(stage, stage)).toEqual([]);
    const text = LEADBRIDGE_PROPERTIES.find((p) => p.name === "leadbridge_sales_feedback")!;
    expect(missingOptions(text, { options: [] })).toEqual([]);
  });
});
