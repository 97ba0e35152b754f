import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main";
import { type Stack, startStack } from "../../dev/stack";
import { ADMIN_TOKEN, waitFor } from "./admin-stack";

// `npm run admin -- outcomes run` against npm start's stack: a contact handed off through a real
// signed webhook, its Lead accepted in the sandbox Salesforce, the sync run from the terminal.

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ isolatedState: true });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

async function cli(...argv: string[]) {
  const lines: string[] = [];
  const code = await main(
    [...argv, "--url", stack.workerUrl],
    { LEADBRIDGE_ADMIN_TOKEN: ADMIN_TOKEN },
    { out: (l) => lines.push(l), tty: false, pollMs: 200 },
  );
  return { code, lines, text: lines.join("\n") };
}

async function hubspot<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${stack.hubspotUrl}${path}`, {
    method,
    headers: { authorization: "Bearer sandbox-hubspot-token", "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function acceptLead(leadId: string) {
  const token = (await (
    await fetch(`${stack.salesforceUrl}/services/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials&client_id=sandbox-sf-client-id&client_secret=sandbox-sf-client-secret",
    })
  ).json()) as { access_token: string; instance_url: string };
  const res = await fetch(`${token.instance_url}/services/data/v62.0/sobjects/Lead/${leadId}`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${token.access_token}`, "content-type": "application/json" },
    body: JSON.stringify({ Status: "Working - Contacted" }),
  });
  expect(res.status).toBe(204);
}

describe("npm run admin -- outcomes run", () => {
  it("runs the outcome sync and says what it pulled and wrote", async () => {
    const company = await hubspot<{ id: string }>("POST", "/crm/v3/objects/companies", {
      properties: { name: "Outcome CLI Co" },
    });
    const contact = await hubspot<{ id: string }>("POST", "/crm/v3/objects/contacts", {
      properties: {
        email: `outcome.cli.${Date.now()}@acme-robotics.com`,
        lastname: "Cli",
        jobtitle: "Senior Software Engineer",
        hubspotscore: "80",
        hs_analytics_last_url: "https://acme.example/pricing",
      },
      associations: [
        {
          to: { id: company.id },
          types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: 279 }],
        },
      ],
    });
    const leadId = await waitFor(
      async () => {
        const c = await hubspot<{ properties: Record<string, string | null> }>(
          "GET",
          `/crm/v3/objects/contacts/${contact.id}?properties=leadbridge_salesforce_lead_id`,
        );
        return c.properties.leadbridge_salesforce_lead_id || undefined;
      },
      30_000,
      "the handoff",
    );
    await acceptLead(leadId);

    const res = await cli("outcomes", "run");
    expect(res.code).toBe(0);
    expect(res.lines[0]).toMatch(/^pulled Opportunity \d+, Lead \d+ \(2 query page\(s\)\)$/);
    expect(res.text).toMatch(/wrote [1-9]\d* HubSpot contact\(s\), 0 note\(s\); 0 failed/);
    const c = await hubspot<{ properties: Record<string, string | null> }>(
      "GET",
      `/crm/v3/objects/contacts/${contact.id}?properties=leadbridge_sales_stage,lifecyclestage`,
    );
    expect(c.properties).toMatchObject({
      leadbridge_sales_stage: "accepted",
      lifecyclestage: "salesqualifiedlead",
    });

    const again = JSON.parse((await cli("outcomes", "run", "--json")).text);
    expect(again).toMatchObject({ written: { contacts: 0, notes: 0, failed: 0 }, pending: 0 });
    expect((await cli("outcomes", "run")).text).toContain("complete");
    await expect(cli("outcomes")).rejects.toThrow("outcomes run");
  });
});
