import { Client } from "@hubspot/api-client";
import { afterEach, describe, expect, it } from "vitest";
import { type HubSpotSandbox, startHubSpotSandbox } from "../../sandbox/hubspot/server";

// npm start keeps the Worker's D1 across restarts while the sandbox HubSpot starts empty: the
// stack starts record ids from the clock so a new contact never takes an old contact's id.
const TOKEN = "sandbox-hubspot-token";
let sandbox: HubSpotSandbox | undefined;
afterEach(() => sandbox?.close());

async function createContact(url: string, email: string): Promise<string> {
  const hubspot = new Client({ accessToken: TOKEN, basePath: url, numberOfApiCallRetries: 0 });
  const created = await hubspot.crm.contacts.basicApi.create({
    properties: { email },
    associations: [],
  });
  return created.id;
}

describe("sandbox HubSpot record ids", () => {
  it("start at 1001 by default, and again after a reset", async () => {
    sandbox = await startHubSpotSandbox({ port: 0, rateLimits: false });
    expect(await createContact(sandbox.url, "a@acme.example")).toBe("1001");
    expect(await createContact(sandbox.url, "b@acme.example")).toBe("1002");
    await fetch(`${sandbox.url}/__sandbox/reset`, { method: "POST" });
    expect(await createContact(sandbox.url, "c@acme.example")).toBe("1001");
  });

  it("start where they are told to, and a reset goes back there", async () => {
    const first = 1_796_183_000_000;
    sandbox = await startHubSpotSandbox({ port: 0, rateLimits: false, firstRecordId: first });
    expect(await createContact(sandbox.url, "a@acme.example")).toBe(String(first));
    expect(await createContact(sandbox.url, "b@acme.example")).toBe(String(first + 1));
    await fetch(`${sandbox.url}/__sandbox/reset`, { method: "POST" });
    expect(await createContact(sandbox.url, "c@acme.example")).toBe(String(first));
  });
});
