import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../shared/env";
import { deliver, leadEvent } from "./queue-harness";
import {
  clearSalesforceRequests,
  createCompany,
  createContact,
  createSalesforceRecord,
  qualifyingContact,
  salesforceLeads,
  salesforceRest,
  setAssignmentRule,
  updateContact,
  upsertHeaders,
} from "./sandboxes";

// Issue 20: a Lead a rep works keeps its owner when Leadbridge pushes the contact again, while
// new Leads follow SALESFORCE_LEAD_ASSIGNMENT. Through the Worker, jsforce and the sandbox org.

const ACTIVE_RULE = "01Q8d0000002AbCEAU";
const NAMED_RULE = "01Q8d0000002XyZ";

let run = 0;
const unique = () => `${Date.now().toString(36)}a${++run}`;

const createUser = (name: string) =>
  createSalesforceRecord("User", {
    LastName: name,
    Email: `${name}@org.example`,
    Username: `${name}@org.example`,
  });

const leadOf = async (contactId: string) => {
  const leads = (await salesforceLeads()).filter((l) => l.HubSpot_Contact_Id__c === contactId);
  expect(leads).toHaveLength(1);
  return leads[0]!;
};

async function qualifiedContact(): Promise<string> {
  const company = await createCompany({ name: "Acme Robotics", numberofemployees: "250" });
  return createContact(qualifyingContact(unique()), company);
}

let repX: string;
let repY: string;

beforeEach(async () => {
  await env.KV.delete("salesforce:usage");
  repX = await createUser(`rep-x-${unique()}`);
  repY = await createUser(`rep-y-${unique()}`);
  // The org's active rule: every Lead goes to rep X.
  await setAssignmentRule({ id: ACTIVE_RULE, ownerId: repX });
  await clearSalesforceRequests();
});
afterEach(async () => {
  await setAssignmentRule(null);
});

describe("Sforce-Auto-Assign on the push", () => {
  it("keeps a Lead reassigned by hand with its rep when the contact is pushed again", async () => {
    const id = await qualifiedContact();
    await deliver([leadEvent(id)]);
    const created = await leadOf(id);
    // The default choice (active_rule) lets the org's rule route the new Lead.
    expect(created.OwnerId).toBe(repX);
    expect(await upsertHeaders()).toEqual(["TRUE"]);

    // An admin hands the Lead to rep Y.
    const reassigned = await salesforceRest(
      "PATCH",
      `/sobjects/Lead/${created.Id}`,
      { OwnerId: repY },
      {
        "Sforce-Auto-Assign": "FALSE",
      },
    );
    expect(reassigned.status).toBe(204);
    expect((await leadOf(id)).OwnerId).toBe(repY);

    // The contact changes in HubSpot and Leadbridge pushes it again.
    await clearSalesforceRequests();
    await updateContact(id, { hubspotscore: "91" });
    const result = await deliver([
      leadEvent(id, "contact.propertyChange", { propertyName: "hubspotscore" }),
    ]);
    expect(result.explicitAcks).toEqual(result.ids);
    const after = await leadOf(id);
    expect(after).toMatchObject({ Id: created.Id, Engagement_Score__c: 91, OwnerId: repY });
    expect(await upsertHeaders()).toEqual(["FALSE"]);

    // Nothing changed since: no call at all.
    await clearSalesforceRequests();
    await deliver([leadEvent(id, "contact.propertyChange", { propertyName: "hubspotscore" })]);
    expect(await upsertHeaders()).toEqual([]);
  });

  it("sends known Leads with FALSE and new ones with the create choice, in separate calls", async () => {
    const known = await qualifiedContact();
    await deliver([leadEvent(known)]);
    const knownLead = await leadOf(known);
    await salesforceRest(
      "PATCH",
      `/sobjects/Lead/${knownLead.Id}`,
      { OwnerId: repY },
      {
        "Sforce-Auto-Assign": "FALSE",
      },
    );
    await updateContact(known, { hubspotscore: "82" });
    const fresh = await qualifiedContact();

    await clearSalesforceRequests();
    const result = await deliver([
      leadEvent(known, "contact.propertyChange", { propertyName: "hubspotscore" }),
      leadEvent(fresh),
    ]);
    expect(result.explicitAcks).toEqual(result.ids);
    expect((await upsertHeaders()).sort()).toEqual(["FALSE", "TRUE"]);
    expect(await leadOf(known)).toMatchObject({ OwnerId: repY, Engagement_Score__c: 82 });
    expect((await leadOf(fresh)).OwnerId).toBe(repX);
  });

  it("with SALESFORCE_LEAD_ASSIGNMENT=none, a new Lead is not routed by the rule", async () => {
    const id = await qualifiedContact();
    await deliver([leadEvent(id)], 1, { ...env, SALESFORCE_LEAD_ASSIGNMENT: "none" } as Env);
    const lead = await leadOf(id);
    expect(lead.OwnerId).not.toBe(repX);
    expect(await upsertHeaders()).toEqual(["FALSE"]);
  });

  it("with an AssignmentRule Id, that rule routes new Leads", async () => {
    await setAssignmentRule({ id: NAMED_RULE, ownerId: repY, active: false });
    const id = await qualifiedContact();
    await deliver([leadEvent(id)], 1, { ...env, SALESFORCE_LEAD_ASSIGNMENT: NAMED_RULE } as Env);
    expect((await leadOf(id)).OwnerId).toBe(repY);
    expect(await upsertHeaders()).toEqual([NAMED_RULE]);
  });
});

describe("SALESFORCE_LEAD_ASSIGNMENT", () => {
  it("defaults to the org's active rule", () => {
    expect(loadConfig(env).SALESFORCE_LEAD_ASSIGNMENT).toBe("active_rule");
  });

  it.each(["", "yes", "01Q123", "005000000000000AAA", "01Q8d0000002XyZE"])(
    "refuses %j at start, naming the variable",
    (value) => {
      const broken = { ...env, SALESFORCE_LEAD_ASSIGNMENT: value } as Env;
      expect(() => loadConfig(broken)).toThrow(ConfigError);
      expect(() => loadConfig(broken)).toThrow(/SALESFORCE_LEAD_ASSIGNMENT/);
    },
  );

  it("accepts an AssignmentRule Id of 15 or 18 characters", () => {
    for (const id of [NAMED_RULE, ACTIVE_RULE])
      expect(loadConfig({ ...env, SALESFORCE_LEAD_ASSIGNMENT: id } as Env)).toMatchObject({
        SALESFORCE_LEAD_ASSIGNMENT: id,
      });
  });
});
