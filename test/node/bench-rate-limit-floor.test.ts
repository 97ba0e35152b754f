import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rateLimitFloorSeconds } from "../../bench/handoff-burst";
import { type HubSpotSandbox, startHubSpotSandbox } from "../../sandbox/hubspot/server";

// The 10,000-lead burst's goal is measured against what HubSpot's rate limit alone needs for the
// Worker's calls (bench/README.md, the rate-limit floor).
describe("rateLimitFloorSeconds", () => {
  it("needs no time for up to one window's calls, and a window more for each 190 after", () => {
    expect(rateLimitFloorSeconds(0)).toBe(0);
    expect(rateLimitFloorSeconds(1)).toBe(0);
    expect(rateLimitFloorSeconds(190)).toBe(0);
    expect(rateLimitFloorSeconds(191)).toBe(10);
    expect(rateLimitFloorSeconds(380)).toBe(10);
    expect(rateLimitFloorSeconds(381)).toBe(20);
    expect(rateLimitFloorSeconds(467)).toBe(20);
  });

  it("follows the limit it is given", () => {
    expect(rateLimitFloorSeconds(5, { max: 2, intervalMs: 1000 })).toBe(2);
  });
});

describe("the sandbox's counts of rate-limited requests", () => {
  let sandbox: HubSpotSandbox;
  beforeAll(async () => {
    sandbox = await startHubSpotSandbox({ port: 0 });
  });
  afterAll(() => sandbox.close());

  it("keeps the requests answered 429 apart, so the bench counts only those the window took", async () => {
    const control = (path: string, method: string, body?: unknown) =>
      fetch(`${sandbox.url}/__sandbox/${path}`, {
        method,
        headers: { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    await control("limits", "PUT", { max: 2, resetWindow: true });
    await control("counts/reset", "POST");
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${sandbox.url}/crm/v3/objects/contacts?limit=1`, {
        headers: { authorization: "Bearer sandbox-hubspot-token" },
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(await (await control("counts", "GET")).json()).toEqual({
      total: 3,
      byEndpoint: { "GET /crm/v3/objects/contacts": 3 },
      rateLimitedByEndpoint: { "GET /crm/v3/objects/contacts": 1 },
    });
  });
});
