import type { FaultRule, Sandboxes } from "./control";
import { companies, type LeadSpec, leadMix } from "./lead-mix";

export interface InboundLead extends LeadSpec {
  contactId: string;
}

const COMPANIES_PER_RUN = 50;

/**
 * Creates `count` contacts in the sandbox HubSpot through its API, each with its company, the
 * way a list import does (100 per batch create). HubSpot then sends the creation webhooks.
 */
export async function createInbound(
  sandboxes: Sandboxes,
  count: number,
  tag: string,
  seed?: number,
): Promise<InboundLead[]> {
  const companyIds = await sandboxes.createCompanies(
    companies(Math.min(COMPANIES_PER_RUN, count), tag),
  );
  return createInboundFor(sandboxes, leadMix(count, tag, companyIds.length, seed), companyIds);
}

export async function createInboundFor(
  sandboxes: Sandboxes,
  specs: LeadSpec[],
  companyIds: string[],
): Promise<InboundLead[]> {
  const ids = await sandboxes.createContacts(
    specs.map((s) => ({
      properties: s.properties,
      ...(s.company === undefined ? {} : { companyId: companyIds[s.company] }),
    })),
  );
  return specs.map((spec, i) => ({ ...spec, contactId: ids[i]! }));
}

/** Sandbox latency that resembles the real APIs seen from a Cloudflare colo (per call, median). */
export const REALISTIC_LATENCY = { hubspotMs: 120, salesforceMs: 180 };

export async function useRealisticLatency(
  sandboxes: Sandboxes,
  extra: { hubspot?: FaultRule[]; salesforce?: FaultRule[] } = {},
): Promise<void> {
  await Promise.all([
    sandboxes.setHubSpotFaults([
      { kind: "latency", path: "/crm/", ms: REALISTIC_LATENCY.hubspotMs },
      ...(extra.hubspot ?? []),
    ]),
    sandboxes.setSalesforceFaults([
      { kind: "latency", path: "/services/", ms: REALISTIC_LATENCY.salesforceMs },
      ...(extra.salesforce ?? []),
    ]),
  ]);
}
