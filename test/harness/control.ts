// A Node client for the sandboxes' /__sandbox control surfaces and the few API calls the
// benchmarks make themselves. Nothing here is timed.

export interface Counts {
  total: number;
  byEndpoint: Record<string, number>;
  /** Of those, the requests answered 429 (the rate limit's window holds only the others). */
  rateLimitedByEndpoint?: Record<string, number>;
}

export interface FaultRule {
  kind: string;
  path?: string;
  method?: string;
  rate?: number;
  times?: number;
  every?: number;
  ms?: number;
  status?: number;
}

export const HUBSPOT_TOKEN = "sandbox-hubspot-token";
const HS_AUTH = { authorization: `Bearer ${HUBSPOT_TOKEN}`, "content-type": "application/json" };

export async function call<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok)
    throw new Error(`${init?.method ?? "GET"} ${url} → ${res.status} ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export const jsonInit = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

/** Control of one stack's two sandboxes. */
export class Sandboxes {
  constructor(
    readonly hubspotUrl: string,
    readonly salesforceUrl: string,
    readonly webhookUrl: string,
  ) {}

  hubspotCounts = () => call<Counts>(`${this.hubspotUrl}/__sandbox/counts`);
  salesforceCounts = () => call<Counts>(`${this.salesforceUrl}/__sandbox/counts`);

  async resetCounts(): Promise<void> {
    await Promise.all([
      call(`${this.hubspotUrl}/__sandbox/counts/reset`, jsonInit("POST")),
      call(`${this.salesforceUrl}/__sandbox/counts/reset`, jsonInit("POST")),
    ]);
  }

  setHubSpotFaults = (rules: FaultRule[]) =>
    call(`${this.hubspotUrl}/__sandbox/faults`, jsonInit("PUT", rules));
  setSalesforceFaults = (rules: FaultRule[]) =>
    call(`${this.salesforceUrl}/__sandbox/faults`, jsonInit("PUT", rules));
  setHubSpotLimits = (limits: Record<string, unknown>) =>
    call(`${this.hubspotUrl}/__sandbox/limits`, jsonInit("PUT", limits));
  setSalesforceLimits = (limits: Record<string, unknown>) =>
    call(`${this.salesforceUrl}/__sandbox/limits`, jsonInit("PUT", limits));

  async clearFaults(): Promise<void> {
    await Promise.all([this.setHubSpotFaults([]), this.setSalesforceFaults([])]);
  }

  /**
   * Hits per injected fault on both sandboxes (latency left out), plus Salesforce session expiries.
   */
  async faultHits(): Promise<Record<string, number>> {
    type Listed = { rules: (FaultRule & { hits: number })[] };
    const [hubspot, salesforce] = await Promise.all([
      call<Listed>(`${this.hubspotUrl}/__sandbox/faults`),
      call<Listed>(`${this.salesforceUrl}/__sandbox/faults`),
    ]);
    const hits: Record<string, number> = {};
    for (const [system, list] of [
      ["hubspot", hubspot],
      ["salesforce", salesforce],
    ] as const) {
      for (const rule of list.rules) {
        if (rule.kind === "latency") continue;
        const name = `${system} ${rule.kind}${rule.status ? ` ${rule.status}` : ""}`;
        hits[name] = (hits[name] ?? 0) + rule.hits;
      }
    }
    return hits;
  }

  /** Points the sandbox HubSpot's webhooks at the Worker (or pauses them), with delivery tuning. */
  subscribe = (opts: { active?: boolean } & Record<string, unknown> = {}) =>
    call(
      `${this.hubspotUrl}/__sandbox/webhooks/subscription`,
      jsonInit("PUT", { targetUrl: this.webhookUrl, ...opts }),
    );

  flushWebhooks = () => call(`${this.hubspotUrl}/__sandbox/webhooks/flush`, jsonInit("POST"));

  rawContact = (id: string) =>
    call<RawContact>(`${this.hubspotUrl}/__sandbox/objects/contacts/${id}`);

  async salesforceLeads(): Promise<SalesforceLeadRecord[]> {
    const body = await call<{ records: SalesforceLeadRecord[] }>(
      `${this.salesforceUrl}/__sandbox/records/Lead`,
    );
    return body.records;
  }

  /** Creates companies through the API, 100 per call; returns their ids in order. */
  async createCompanies(companies: Record<string, string>[]): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < companies.length; i += 100) {
      const inputs = companies.slice(i, i + 100).map((properties) => ({ properties }));
      const res = await withRateLimitWait(() =>
        call<{ results: { id: string }[] }>(
          `${this.hubspotUrl}/crm/v3/objects/companies/batch/create`,
          {
            method: "POST",
            headers: HS_AUTH,
            body: JSON.stringify({ inputs }),
          },
        ),
      );
      ids.push(...res.results.map((r) => r.id));
    }
    return ids;
  }

  /**
   * Creates contacts through the API (100 per call, as a marketing import does), each with its
   * company.
   */
  async createContacts(
    contacts: { properties: Record<string, string>; companyId?: string }[],
    concurrency = 4,
  ): Promise<string[]> {
    const chunks: (typeof contacts)[] = [];
    for (let i = 0; i < contacts.length; i += 100) chunks.push(contacts.slice(i, i + 100));
    const ids: string[][] = new Array(chunks.length);
    await forEachLimit(chunks, concurrency, async (chunk, index) => {
      const inputs = chunk.map((c) => ({
        properties: c.properties,
        associations: c.companyId
          ? [
              {
                to: { id: c.companyId },
                types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: 279 }],
              },
            ]
          : [],
      }));
      const res = await withRateLimitWait(() =>
        call<{ results: { id: string }[] }>(
          `${this.hubspotUrl}/crm/v3/objects/contacts/batch/create`,
          {
            method: "POST",
            headers: HS_AUTH,
            body: JSON.stringify({ inputs }),
          },
        ),
      );
      // HubSpot answers batch creates in input order.
      ids[index] = res.results.map((r) => r.id);
    });
    return ids.flat();
  }
}

export interface RawContact {
  id: string;
  properties: Record<string, string | null>;
  notes: { id: string; properties: Record<string, string | null> }[];
}

export interface SalesforceLeadRecord {
  Id: string;
  HubSpot_Contact_Id__c?: string | null;
  CreatedDate?: string;
  [field: string]: unknown;
}

/**
 * Our own setup calls share HubSpot's rate limit with the Worker: wait out a 429 like a polite
 * client.
 */
async function withRateLimitWait<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 20 || !String(err).includes("→ 429")) throw err;
      await sleep(1000);
    }
  }
}

export async function forEachLimit<T>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
