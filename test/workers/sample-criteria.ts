import type { Criterion } from "../../shared/contracts/criteria";

// Criteria an admin might add (docs/rules.md's examples), shared by the criteria, handoff and
// preview tests.

/** "employees at least 50 and industry in [Software, Fintech]", required. */
export const midMarket: Criterion = {
  name: "software_mid_market",
  description: "a software or fintech company of 50 people or more",
  match: "all",
  conditions: [
    { property: "company.numberofemployees", op: "at_least", value: 50 },
    { property: "company.industry", op: "in", value: ["Software", "Fintech"] },
  ],
  required: true,
};

/** On a company property no built-in reads, required. */
export const dach: Criterion = {
  name: "in_dach",
  description: "a company in Germany, Austria or Switzerland",
  match: "all",
  conditions: [
    { property: "company.country", op: "in", value: ["Germany", "Austria", "Switzerland"] },
  ],
  required: true,
};
