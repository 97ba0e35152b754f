import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../../dev/stack";
import { wranglerLog } from "./wrangler-log";

// wrangler's DevTools inspector subscribes to the Worker's network events whether or not a
// DevTools window is attached, and its Node process writes every one of them to its debug log.
// The stack leaves it out unless asked (npm start: LEADBRIDGE_DEVTOOLS=1). Both stacks here judge
// one contact, so the Worker makes subrequests to both sandboxes, then their wrangler debug logs
// (kept in the stack's state folder) are compared.
describe("the local stack and wrangler's DevTools inspector", () => {
  let plain: Stack | undefined;
  let devtools: Stack | undefined;

  beforeAll(async () => {
    // Both are kept even if one fails to start, so afterAll stops the other.
    const [a, b] = await Promise.allSettled([
      startStack({ isolatedState: true }),
      startStack({ isolatedState: true, devtools: true }),
    ]);
    plain = a.status === "fulfilled" ? a.value : undefined;
    devtools = b.status === "fulfilled" ? b.value : undefined;
    for (const r of [a, b]) if (r.status === "rejected") throw r.reason;
  }, 180_000);
  afterAll(async () => {
    await Promise.allSettled([plain?.stop(), devtools?.stop()]);
  });

  const hubspot = (stack: Stack, pathname: string, init: RequestInit = {}) =>
    fetch(`${stack.hubspotUrl}${pathname}`, {
      ...init,
      headers: {
        authorization: "Bearer sandbox-hubspot-token",
        "content-type": "application/json",
      },
    });

  /** Creates a contact in the stack's sandbox HubSpot and waits until the Worker has judged it. */
  async function judgeOne(stack: Stack, email: string): Promise<string> {
    const created = await hubspot(stack, "/crm/v3/objects/contacts", {
      method: "POST",
      body: JSON.stringify({ properties: { email, lastname: "Inspector", hubspotscore: "20" } }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const contact = (await (
        await hubspot(stack, `/crm/v3/objects/contacts/${id}?properties=leadbridge_status`)
      ).json()) as { properties: Record<string, string | null> };
      if (contact.properties.leadbridge_status) return contact.properties.leadbridge_status;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`contact ${id} was not judged within 30 s`);
  }

  it("is left out by default: the Worker's own log lines still reach wrangler, the inspector's network events do not", async () => {
    expect(await judgeOne(plain!, "pat.plain@gmail.com")).toBe("rejected");
    // The Worker logs handoff_done after it wrote the status back, and wrangler writes its debug
    // log asynchronously: wait for the line (its subrequests' network events would come before it).
    await expect
      .poll(() => wranglerLog(plain!), { timeout: 15_000, interval: 100 })
      .toContain('"event":"handoff_done"');
    const log = wranglerLog(plain!);
    expect(log).not.toContain("InspectorProxyWorker");
    expect(log).not.toContain("Network.requestWillBeSent");
  });

  it("is kept with devtools: true, and then logs the network events of the Worker's subrequests", async () => {
    expect(await judgeOne(devtools!, "pat.devtools@gmail.com")).toBe("rejected");
    await expect
      .poll(() => wranglerLog(devtools!), { timeout: 15_000, interval: 100 })
      .toContain('"event":"handoff_done"');
    expect(wranglerLog(devtools!)).toContain("Network.requestWillBeSent");
  });
});
