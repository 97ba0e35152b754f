import { Client } from "@hubspot/api-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../../dev/stack";
import { wranglerLog } from "./wrangler-log";

// The product as `npm start` runs it: wrangler dev (workerd, local D1/KV/Queues), both
// sandboxes, real signed webhooks. Nothing here calls the Worker's internals.
describe("end to end: npm start's stack", () => {
  let stack: Stack;
  let hubspot: Client;

  beforeAll(async () => {
    stack = await startStack({ isolatedState: true });
    hubspot = new Client({
      accessToken: "sandbox-hubspot-token",
      basePath: stack.hubspotUrl,
      numberOfApiCallRetries: 0,
    });
  }, 180_000);
  afterAll(async () => stack?.stop());

  async function settled(id: string, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const c = await hubspot.crm.contacts.basicApi.getById(id, [
        "leadbridge_status",
        "leadbridge_rejection_reasons",
        "leadbridge_salesforce_lead_id",
      ]);
      if (c.properties.leadbridge_status) return c.properties;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`contact ${id} was not judged within ${timeoutMs} ms`);
  }

  const leads = async () =>
    (
      (await (await fetch(`${stack.salesforceUrl}/__sandbox/records/Lead`)).json()) as {
        records: Record<string, any>[];
      }
    ).records;

  it("hands a qualifying contact with a company to Salesforce as one Lead within seconds", async () => {
    const company = await hubspot.crm.companies.basicApi.create({
      properties: { name: "Ñandú Systems", industry: "COMPUTER_SOFTWARE", numberofemployees: "60" },
      associations: [],
    });
    const started = Date.now();
    const contact = await hubspot.crm.contacts.basicApi.create({
      properties: {
        email: "noor@nandu-systems.io",
        firstname: "نور",
        lastname: "O'Brien \\' OR Name != '",
        jobtitle: "Platform Engineer",
        hubspotscore: "81",
        hs_analytics_source: "ORGANIC_SEARCH",
      },
      associations: [
        {
          to: { id: company.id },
          types: [{ associationCategory: "HUBSPOT_DEFINED" as any, associationTypeId: 279 }],
        },
      ],
    });
    const props = await settled(contact.id);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(props.leadbridge_status).toBe("handed_off");
    const mine = (await leads()).filter((l) => l.HubSpot_Contact_Id__c === contact.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      Id: props.leadbridge_salesforce_lead_id,
      FirstName: "نور",
      LastName: "O'Brien \\' OR Name != '",
      Company: "Ñandú Systems",
    });
  });

  it("refuses a gmail contact with a low score, with its reasons and a note", async () => {
    const contact = await hubspot.crm.contacts.basicApi.create({
      properties: { email: "pat.lowscore@gmail.com", lastname: "Low", hubspotscore: "15" },
      associations: [],
    });
    const props = await settled(contact.id);
    expect(props.leadbridge_status).toBe("rejected");
    expect(props.leadbridge_rejection_reasons!.split(";")).toEqual(
      expect.arrayContaining([
        "free_email_domain",
        "engagement_below_threshold",
        "missing_company",
        "no_qualifying_signal",
      ]),
    );
    const raw = (await (
      await fetch(`${stack.hubspotUrl}/__sandbox/objects/contacts/${contact.id}`)
    ).json()) as { notes: { properties: { hs_note_body: string } }[] };
    expect(raw.notes).toHaveLength(1);
    expect(raw.notes[0]!.properties.hs_note_body).toContain("personal webmail address");
    expect((await leads()).filter((l) => l.HubSpot_Contact_Id__c === contact.id)).toHaveLength(0);
  });

  // After the two above: what the Worker logged for them (wrangler keeps it in the stack's state).
  it("logs each batch's handoff with phases that add up to its time, and nothing personal", async () => {
    const log = wranglerLog(stack);
    const done = log
      .split("\n")
      .filter((l) => l.includes('"event":"handoff_done"'))
      .map((l) => JSON.parse(l.slice(l.indexOf("{"))) as Record<string, unknown>);
    expect(done.length).toBeGreaterThanOrEqual(2);
    const PHASES = [
      "d1ReadMs",
      "enrichMs",
      "judgeMs",
      "pushMs",
      "feedbackMs",
      "recordMs",
      "d1WriteMs",
    ];
    for (const line of done) {
      const phases = Object.keys(line).filter((k) => k.endsWith("Ms"));
      expect(PHASES).toEqual(expect.arrayContaining(phases));
      expect(phases).toEqual(expect.arrayContaining(["recordMs", "d1WriteMs"]));
      const sum = phases.reduce((t, k) => t + (line[k] as number), 0);
      expect(Math.abs(sum - (line.ms as number))).toBeLessThanOrEqual(1);
    }
    expect(log).toContain('"event":"webhook_accepted"');
    for (const personal of [
      "noor@nandu-systems.io",
      "nandu-systems",
      "pat.lowscore@gmail.com",
      "نور",
      "O'Brien",
      "Ñandú",
    ])
      expect(log).not.toContain(personal);
  });
});
