import { env } from "cloudflare:workers";
import { admin } from "./admin-client";
import { deliver, leadEvent, leadRow } from "./queue-harness";
import {
  createCompany,
  createContact,
  hubspotUrl,
  qualifyingContact,
  rawContact,
  salesforceUrl,
} from "./sandboxes";

// The outcome sync's tests: hand contacts off through the queue, move their Leads in the sandbox
// Salesforce over its REST API, run the sync through the admin route, read HubSpot back.

let token: { access_token: string; instance_url: string } | undefined;

async function sfToken(): Promise<{ access_token: string; instance_url: string }> {
  if (token) return token;
  const fresh = await fetch(`${salesforceUrl()}/services/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials&client_id=sandbox-sf-client-id&client_secret=sandbox-sf-client-secret",
  }).then((r) => r.json<{ access_token: string; instance_url: string }>());
  token = fresh;
  return fresh;
}

export async function salesforce<T>(method: string, path: string, body?: unknown): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const t = await sfToken();
    const res = await fetch(`${t.instance_url}/services/data/v62.0${path}`, {
      method,
      headers: { authorization: `Bearer ${t.access_token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    // The tests expire sessions on purpose: the test's own session too.
    if (res.status === 401 && attempt === 0) {
      token = undefined;
      continue;
    }
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

export const patchLead = (id: string, fields: Record<string, unknown>) =>
  salesforce("PATCH", `/sobjects/Lead/${id}`, fields);
export const patchOpportunity = (id: string, fields: Record<string, unknown>) =>
  salesforce("PATCH", `/sobjects/Opportunity/${id}`, fields);

export async function convertLead(leadId: string) {
  const res = await fetch(`${salesforceUrl()}/__sandbox/leads/${leadId}/convert`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  if (!res.ok) throw new Error(`convert ${leadId} → ${res.status} ${await res.text()}`);
  return res.json<{ opportunityId: string; contactId: string; accountId: string }>();
}

let run = 0;
export const unique = () => `o${Date.now().toString(36)}${++run}`;

/** Qualifying contacts handed off through the real queue handler; their ids and Lead ids. */
export async function handOff(n = 1): Promise<{ contactId: string; leadId: string }[]> {
  const company = await createCompany({ name: `Outcome Co ${unique()}` });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await createContact(qualifyingContact(unique()), company));
  await deliver(ids.map((id) => leadEvent(id)));
  const out = [];
  for (const contactId of ids) {
    const row = await leadRow(contactId);
    if (row?.status !== "handed_off") throw new Error(`contact ${contactId} was not handed off`);
    out.push({ contactId, leadId: row.salesforce_lead_id as string });
  }
  return out;
}

export interface OutcomeRunBody {
  pulled: Record<string, number>;
  pages: Record<string, number>;
  derived: number;
  skippedUnknown: number;
  written: { contacts: number; notes: number; failed: number; gone: number; refused: number };
  pending: number;
  refused: number;
  complete: boolean;
  skipped?: string;
}

export async function runSync(): Promise<OutcomeRunBody> {
  const res = await admin<OutcomeRunBody>("POST", "/admin/outcomes/run");
  if (res.status !== 200) throw new Error(`outcome sync → ${res.status} ${res.text}`);
  return res.body;
}

/** The contact's Leadbridge sales properties and its notes' bodies, as HubSpot holds them. */
export async function hubspotSide(contactId: string) {
  const c = await rawContact(contactId);
  return {
    stage: c.properties.leadbridge_sales_stage ?? null,
    // HubSpot shows a cleared property as empty.
    feedback: c.properties.leadbridge_sales_feedback ?? "",
    lifecycle: c.properties.lifecyclestage ?? null,
    notes: c.notes.map((n) => n.properties.hs_note_body ?? ""),
  };
}

export const salesNotes = (notes: string[]) =>
  notes.filter((n) => n.includes("Sales did not take this lead"));

export async function outcomeRow(contactId: string) {
  return env.DB.prepare("SELECT * FROM sales_outcomes WHERE contact_id = ?")
    .bind(contactId)
    .first<Record<string, any>>();
}

export const clearRequestLogs = () =>
  Promise.all([
    fetch(`${salesforceUrl()}/__sandbox/requests`, { method: "DELETE" }),
    fetch(`${hubspotUrl()}/__sandbox/counts/reset`, { method: "POST" }),
  ]);

export async function salesforceQueries(): Promise<string[]> {
  const body = await fetch(`${salesforceUrl()}/__sandbox/requests`).then((r) =>
    r.json<{ requests: { method: string; path: string }[] }>(),
  );
  return body.requests.filter((r) => /\/query(\/|$)/.test(r.path)).map((r) => r.path);
}
