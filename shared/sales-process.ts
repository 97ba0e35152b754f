import { z } from "zod";

/**
 * The playbook's sales process as a state machine; Salesforce stage names map onto it by
 * configuration.
 */
export const SALES_STATES = [
  "LeadIn",
  "Discovery",
  "TechnicalDemo",
  "Proposal",
  "Closing",
  "ClosedWon",
  "ClosedLost",
] as const;
export type SalesState = (typeof SALES_STATES)[number];

export const SALES_EVENTS = [
  "QUALIFY",
  "DEMO_SCHEDULED",
  "PROPOSAL_REQUESTED",
  "VERBAL_YES",
  "CONTRACT_SIGNED",
  "DEAL_LOST",
] as const;
export type SalesEvent = (typeof SALES_EVENTS)[number];

const OPEN_STATES: readonly SalesState[] = [
  "LeadIn",
  "Discovery",
  "TechnicalDemo",
  "Proposal",
  "Closing",
];

export const TRANSITIONS: readonly { from: SalesState; event: SalesEvent; to: SalesState }[] = [
  { from: "LeadIn", event: "QUALIFY", to: "Discovery" },
  { from: "Discovery", event: "DEMO_SCHEDULED", to: "TechnicalDemo" },
  { from: "TechnicalDemo", event: "PROPOSAL_REQUESTED", to: "Proposal" },
  { from: "Proposal", event: "VERBAL_YES", to: "Closing" },
  { from: "Closing", event: "CONTRACT_SIGNED", to: "ClosedWon" },
  ...OPEN_STATES.map((from) => ({ from, event: "DEAL_LOST" as const, to: "ClosedLost" as const })),
];

/** What must be true to enter and to leave each state (the playbook's checklists, as data). */
export const STATE_CRITERIA: Record<SalesState, { entry: string[]; exit: string[] }> = {
  LeadIn: {
    entry: ["MQL accepted by sales"],
    exit: ["BANT fit confirmed", "discovery call booked"],
  },
  Discovery: {
    entry: ["discovery call booked"],
    exit: ["pain and success criteria written down", "technical evaluator named"],
  },
  TechnicalDemo: {
    entry: ["technical evaluator named", "demo scheduled"],
    exit: ["demo delivered", "proposal requested"],
  },
  Proposal: {
    entry: ["proposal requested"],
    exit: ["pricing agreed in principle", "verbal yes from the economic buyer"],
  },
  Closing: { entry: ["verbal yes"], exit: ["contract signed", "or deal lost with a reason"] },
  ClosedWon: { entry: ["contract signed"], exit: [] },
  ClosedLost: { entry: ["loss reason recorded"], exit: [] },
};

export function isOpen(state: SalesState): boolean {
  return OPEN_STATES.includes(state);
}

/** The state an event leads to, or null when the event is not allowed from that state. */
export function nextState(from: SalesState, event: SalesEvent): SalesState | null {
  return TRANSITIONS.find((t) => t.from === from && t.event === event)?.to ?? null;
}

export type TransitionCheck =
  | { legal: true; event: SalesEvent | null }
  | { legal: false; reason: "skipped_states" | "moved_backwards" | "reopened_closed_deal" };

/**
 * Whether moving between two states is one step of the process (staying put is legal: several
 * stages share a state).
 */
export function checkTransition(from: SalesState, to: SalesState): TransitionCheck {
  if (from === to) return { legal: true, event: null };
  const step = TRANSITIONS.find((t) => t.from === from && t.to === to);
  if (step) return { legal: true, event: step.event };
  if (!isOpen(from)) return { legal: false, reason: "reopened_closed_deal" };
  const order = (s: SalesState) => SALES_STATES.indexOf(s);
  return { legal: false, reason: order(to) < order(from) ? "moved_backwards" : "skipped_states" };
}

export const StageMapSchema = z.record(z.string().min(1), z.enum(SALES_STATES));
export type StageMap = z.infer<typeof StageMapSchema>;

/**
 * Salesforce's default opportunity stages; an org with its own stages overrides this in
 * telemetry_config.
 */
export const DEFAULT_STAGE_MAP: StageMap = {
  Prospecting: "LeadIn",
  Qualification: "Discovery",
  "Needs Analysis": "Discovery",
  "Value Proposition": "TechnicalDemo",
  "Id. Decision Makers": "TechnicalDemo",
  "Perception Analysis": "TechnicalDemo",
  "Proposal/Price Quote": "Proposal",
  "Negotiation/Review": "Closing",
  "Closed Won": "ClosedWon",
  "Closed Lost": "ClosedLost",
};
