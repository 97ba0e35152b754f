import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HubSpotSandbox, startHubSpotSandbox } from "../../sandbox/hubspot/server";

let sandbox: HubSpotSandbox;
const auth = { authorization: "Bearer sandbox-hubspot-token", "content-type": "application/json" };

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ port: 0 });
});
afterAll(() => sandbox.close());

const list = () => fetch(`${sandbox.url}/crm/v3/objects/contacts?limit=1`, { headers: auth });
const search = () =>
  fetch(`${sandbox.url}/crm/v3/objects/contacts/search`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ filterGroups: [], limit: 1 }),
  });
const control = (path: string, method: string, body?: unknown) =>
  fetch(`${sandbox.url}/__sandbox/${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe("rate limits (private app defaults)", () => {
  it("sends HubSpot's rate-limit headers on every API response", async () => {
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.headers.get("x-hubspot-ratelimit-max")).toBe("190");
    expect(res.headers.get("x-hubspot-ratelimit-interval-milliseconds")).toBe("10000");
    expect(res.headers.get("x-hubspot-ratelimit-daily")).toBe("1000000");
    expect(Number(res.headers.get("x-hubspot-ratelimit-remaining"))).toBe(189);
    expect(Number(res.headers.get("x-hubspot-ratelimit-daily-remaining"))).toBe(999_999);
  });

  it("answers 429 TEN_SECONDLY_ROLLING once 190 requests were made within 10 s", async () => {
    await control("limits", "PUT", { resetWindow: true });
    const answers = await Promise.all(Array.from({ length: 190 }, () => list()));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    const remaining = answers.map((r) => Number(r.headers.get("x-hubspot-ratelimit-remaining")));
    expect(Math.min(...remaining)).toBe(0);

    const refused = await list();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get("x-hubspot-ratelimit-remaining")).toBe("0");
    expect(await refused.json()).toMatchObject({
      status: "error",
      message: "You have reached your ten_secondly_rolling limit.",
      errorType: "RATE_LIMIT",
      policyName: "TEN_SECONDLY_ROLLING",
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it("limits search to 5 per second with policy SECONDLY", async () => {
    await control("limits", "PUT", { resetWindow: true });
    const answers = await Promise.all(Array.from({ length: 5 }, () => search()));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const refused = await search();
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ policyName: "SECONDLY", errorType: "RATE_LIMIT" });
  });

  it("can be switched off and reconfigured through /__sandbox/limits", async () => {
    expect((await control("limits", "PUT", { enabled: false })).status).toBe(200);
    const answers = await Promise.all(Array.from({ length: 250 }, () => list()));
    expect(answers.every((r) => r.status === 200)).toBe(true);

    const config = await (
      await control("limits", "PUT", { enabled: true, max: 3, resetWindow: true })
    ).json();
    expect(config).toMatchObject({ enabled: true, max: 3, intervalMs: 10_000 });
    expect([
      (await list()).status,
      (await list()).status,
      (await list()).status,
      (await list()).status,
    ]).toEqual([200, 200, 200, 429]);
    await control("limits", "PUT", { enabled: false, max: 190 });
  });
});

describe("fault injection", () => {
  it("answers a 5xx for matching requests, `times` of them", async () => {
    await control("faults", "PUT", [
      { kind: "status", status: 503, path: "/crm/v3/objects/contacts", times: 1 },
    ]);
    const first = await list();
    expect(first.status).toBe(503);
    expect(await first.json()).toMatchObject({ status: "error", category: expect.any(String) });
    expect((await list()).status).toBe(200);
  });

  it("adds latency", async () => {
    await control("faults", "PUT", [{ kind: "latency", ms: 150, times: 1 }]);
    const started = Date.now();
    expect((await list()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("answers 429 with real headers and body on a rate_limit fault", async () => {
    await control("faults", "PUT", [
      { kind: "rate_limit", method: "POST", path: "/batch/read", times: 1 },
    ]);
    const res = await fetch(`${sandbox.url}/crm/v3/objects/contacts/batch/read`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ inputs: [], properties: [], propertiesWithHistory: [] }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("x-hubspot-ratelimit-max")).toBe("190");
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await res.json()).toMatchObject({ policyName: "TEN_SECONDLY_ROLLING" });
    const faults = await (await control("faults", "GET")).json();
    expect(faults.rules[0]).toMatchObject({ kind: "rate_limit", hits: 1 });
    await control("faults", "DELETE");
    expect((await control("faults", "GET").then((r) => r.json())).rules).toEqual([]);
  });

  it("resets state, counts and faults", async () => {
    await control("faults", "POST", { kind: "status", status: 500 });
    await control("reset", "POST");
    expect((await list()).status).toBe(200);
    const counts = await (await control("counts", "GET")).json();
    expect(counts).toEqual({
      total: 1,
      byEndpoint: { "GET /crm/v3/objects/contacts": 1 },
      rateLimitedByEndpoint: {},
    });
  });
});
