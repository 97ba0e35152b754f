import { inject } from "vitest";
import { LEADBRIDGE_PROPERTIES } from "../../shared/hubspot/properties";

export const hubspotUrl = () => inject("hubspotUrl");
export const salesforceUrl = () => inject("salesforceUrl");

const HS_AUTH = {
  authorization: "Bearer sandbox-hubspot-token",
  "content-type": "application/json",
};

/**
 * One sandbox call. A 429 is waited out as HubSpot's clients do (its Retry-After, else a second):
 * the files share one sandbox, so a test's setup can meet the rolling limit an earlier file used.
 */
async function call<T>(url: string, init?: RequestInit): Promise<T> {
  let res = await fetch(url, init);
  for (let tries = 1; res.status === 429 && tries < 30; tries++) {
    await res.body?.cancel();
    const wait = Number(res.headers.get("retry-after")) || 1;
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    res = await fetch(url, init);
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${url} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

const json = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

export async function resetSandboxes(): Promise<void> {
  await Promise.all([
    call(`${hubspotUrl()}/__sandbox/reset`, json("POST")),
    call(`${salesforceUrl()}/__sandbox/reset`, json("POST")),
  ]);
}

export async function createCompany(properties: Record<string, string>): Promise<string> {
  const res = await call<{ id: string }>(`${hubspotUrl()}/crm/v3/objects/companies`, {
    method: "POST",
    headers: HS_AUTH,
    body: JSON.stringify({ properties }),
  });
  return res.id;
}

export async function createContact(
  properties: Record<string, string>,
  companyId?: string,
): Promise<string> {
  const associations = companyId
    ? [
        {
          to: { id: companyId },
          types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: 279 }],
        },
      ]
    : [];
  const res = await call<{ id: string }>(`${hubspotUrl()}/crm/v3/objects/contacts`, {
    method: "POST",
    headers: HS_AUTH,
    body: JSON.stringify({ properties, associations }),
  });
  return res.id;
}

/** Up to 100 contacts in one batch call (as HubSpot's batch create), ids in input order. */
export async function createContacts(
  inputs: Record<string, string>[],
  companyId?: string,
): Promise<string[]> {
  const associations = companyId
    ? [
        {
          to: { id: companyId },
          types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: 279 }],
        },
      ]
    : [];
  const res = await call<{ results: { id: string; properties: Record<string, string> }[] }>(
    `${hubspotUrl()}/crm/v3/objects/contacts/batch/create`,
    {
      method: "POST",
      headers: HS_AUTH,
      body: JSON.stringify({ inputs: inputs.map((properties) => ({ properties, associations })) }),
    },
  );
  const byEmail = new Map(res.results.map((r) => [r.properties.email, r.id]));
  return inputs.map((p) => byEmail.get(p.email)!);
}

export async function updateContact(id: string, properties: Record<string, string>): Promise<void> {
  await call(`${hubspotUrl()}/crm/v3/objects/contacts/${id}`, {
    method: "PATCH",
    headers: HS_AUTH,
    body: JSON.stringify({ properties }),
  });
}

export async function associateCompany(contactId: string, companyId: string): Promise<void> {
  await call(
    `${hubspotUrl()}/crm/v4/objects/contacts/${contactId}/associations/default/companies/${companyId}`,
    { method: "PUT", headers: HS_AUTH },
  );
}

export interface RawContact {
  id: string;
  properties: Record<string, string | null>;
  notes: { id: string; properties: Record<string, string | null> }[];
}

export const rawContact = (id: string) =>
  call<RawContact>(`${hubspotUrl()}/__sandbox/objects/contacts/${id}`);

export async function salesforceLeads(): Promise<Record<string, any>[]> {
  const body = await call<unknown>(`${salesforceUrl()}/__sandbox/records/Lead`);
  return Array.isArray(body) ? body : (body as { records: Record<string, any>[] }).records;
}

/** A Salesforce REST call (`path` under /services/data/v62.0) with its own session, as an admin's tools make it. */
export async function salesforceRest(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  const token = await call<{ access_token: string; instance_url: string }>(
    `${salesforceUrl()}/services/oauth2/token`,
    {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials&client_id=sandbox-sf-client-id&client_secret=sandbox-sf-client-secret",
    },
  );
  return fetch(`${token.instance_url}/services/data/v62.0${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token.access_token}`,
      "content-type": "application/json",
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** A record created over REST (a User, an Account, a Lead), as an admin's tools would: its id. */
export async function createSalesforceRecord(
  sobject: string,
  fields: Record<string, unknown>,
): Promise<string> {
  const res = await salesforceRest("POST", `/sobjects/${sobject}`, fields);
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST /sobjects/${sobject} → ${res.status} ${text}`);
  return (JSON.parse(text) as { id: string }).id;
}

export const createSalesforceLead = (fields: Record<string, unknown>) =>
  createSalesforceRecord("Lead", fields);

export interface SandboxRequest {
  method: string;
  path: string;
  /** Lower-cased names, without the bearer token. */
  headers: Record<string, string>;
}

/** The API requests the Salesforce sandbox received since the last clear, oldest first. */
export const salesforceRequests = async () =>
  (await call<{ requests: SandboxRequest[] }>(`${salesforceUrl()}/__sandbox/requests`)).requests;
export const clearSalesforceRequests = () =>
  call(`${salesforceUrl()}/__sandbox/requests`, json("DELETE"));

const UPSERT_PATH = "/services/data/v62.0/composite/sobjects/Lead/HubSpot_Contact_Id__c";

/** The Sforce-Auto-Assign of each Lead upsert the sandbox received since the last clear. */
export async function upsertHeaders(): Promise<(string | undefined)[]> {
  return (await salesforceRequests())
    .filter((r) => r.method === "PATCH" && r.path === UPSERT_PATH)
    .map((r) => r.headers["sforce-auto-assign"]);
}

/** The sandbox org's Lead assignment rule (active unless `active: false`), or none. */
export const setAssignmentRule = (rule: { id: string; ownerId: string; active?: boolean } | null) =>
  call(
    `${salesforceUrl()}/__sandbox/assignment-rule`,
    json(rule ? "PUT" : "DELETE", rule ?? undefined),
  );

export type Fault = {
  kind: string;
  path?: string;
  method?: string;
  rate?: number;
  times?: number;
  every?: number;
  ms?: number;
  status?: number;
};

export const setHubSpotFaults = (rules: Fault[]) =>
  call(`${hubspotUrl()}/__sandbox/faults`, json("PUT", rules));
export const setSalesforceFaults = (rules: Fault[]) =>
  call(`${salesforceUrl()}/__sandbox/faults`, json("PUT", rules));
export const setSalesforceLimits = (limits: Record<string, unknown>) =>
  call(`${salesforceUrl()}/__sandbox/limits`, json("PUT", limits));
export const hubspotCounts = () =>
  call<{ total: number; byEndpoint: Record<string, number> }>(`${hubspotUrl()}/__sandbox/counts`);
export const salesforceCounts = () =>
  call<{ total: number; byEndpoint: Record<string, number> }>(
    `${salesforceUrl()}/__sandbox/counts`,
  );

/** A qualifying contact's properties (business email, developer title, pricing page, score 75). */
export function qualifyingContact(
  n: number | string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    email: `dev${n}@acme-robotics.com`,
    firstname: "Dana",
    lastname: `Developer${n}`,
    jobtitle: "Senior Software Engineer",
    hubspotscore: "75",
    hs_analytics_source: "ORGANIC_SEARCH",
    hs_analytics_last_url: "https://acme.example/pricing",
    ...overrides,
  };
}

/**
 * The portal's options of a leadbridge_* enumeration, as an admin would edit them in HubSpot: the
 * options Leadbridge defines that `keep` keeps (all by default).
 */
export async function setLeadbridgeOptions(
  name: string,
  keep: (value: string) => boolean = () => true,
): Promise<void> {
  const property = LEADBRIDGE_PROPERTIES.find((p) => p.name === name)!;
  const options = property.options!.filter((o) => keep(o.value));
  await call(`${hubspotUrl()}/crm/v3/properties/contacts/${name}`, {
    method: "PATCH",
    headers: HS_AUTH,
    body: JSON.stringify({ options }),
  });
}
