import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSalesforceSandbox } from "../../sandbox/salesforce/server";
import { call, connect, control, token } from "./salesforce-client";

let sandbox: Awaited<ReturnType<typeof startSalesforceSandbox>>;

beforeAll(async () => {
  sandbox = await startSalesforceSandbox({ port: 0 });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  await control(sandbox.url, "POST", "/reset", { seed: true });
});

const form = (fields: Record<string, string>) =>
  fetch(`${sandbox.url}/services/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });

describe("OAuth2 client credentials", () => {
  it("issues a bearer token for the sandbox's own instance url, without a refresh token", async () => {
    const res = await form({
      grant_type: "client_credentials",
      client_id: "sandbox-sf-client-id",
      client_secret: "sandbox-sf-client-secret",
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, string>;
    expect(body).toMatchObject({ token_type: "Bearer", instance_url: sandbox.url });
    expect(body.access_token).toMatch(/^00D\w{12}!/);
    expect(body.id).toMatch(new RegExp(`^${sandbox.url}/id/00D\\w{15}/005\\w{15}$`));
    expect(Number(body.issued_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(body.signature).toBeTruthy();
    expect(body).not.toHaveProperty("refresh_token");
  });

  it("refuses a wrong secret, an unknown client and other grants as Salesforce does", async () => {
    const wrongSecret = await form({
      grant_type: "client_credentials",
      client_id: "sandbox-sf-client-id",
      client_secret: "nope",
    });
    expect(wrongSecret.status).toBe(400);
    expect(await wrongSecret.json()).toEqual({
      error: "invalid_client",
      error_description: "invalid client credentials",
    });

    const unknownClient = await form({
      grant_type: "client_credentials",
      client_id: "other",
      client_secret: "x",
    });
    expect(unknownClient.status).toBe(400);
    expect(await unknownClient.json()).toMatchObject({ error: "invalid_client_id" });

    const password = await form({
      grant_type: "password",
      client_id: "sandbox-sf-client-id",
      username: "a",
      password: "b",
    });
    expect(password.status).toBe(400);
    expect(await password.json()).toMatchObject({ error: "unsupported_grant_type" });
  });

  it("lets jsforce authorize with client credentials and call the API", async () => {
    const conn = await connect(sandbox.url);
    expect(conn.instanceUrl).toBe(sandbox.url);
    const limits = await conn.limits();
    expect(limits.DailyApiRequests?.Max).toBe(100_000);
  });
});

describe("sessions", () => {
  it("answers 401 INVALID_SESSION_ID without a token or with an unknown one", async () => {
    for (const auth of ["", "Bearer not-a-token"]) {
      const res = await fetch(`${sandbox.url}/services/data/v62.0/limits`, {
        headers: auth ? { authorization: auth } : {},
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual([
        { message: "Session expired or invalid", errorCode: "INVALID_SESSION_ID" },
      ]);
    }
  });

  it("expires sessions after the configured lifetime and jsforce recovers through refreshFn", async () => {
    await control(sandbox.url, "PUT", "/limits", { sessionLifetimeSeconds: 0.2 });
    const conn = await connect(sandbox.url);
    const first = conn.accessToken;
    const stale = await token(sandbox.url);
    await new Promise((r) => setTimeout(r, 300));
    await control(sandbox.url, "PUT", "/limits", { sessionLifetimeSeconds: 7200 });
    expect((await call(sandbox.url, stale, "GET", "/limits")).status).toBe(401);
    const result = await conn.query("SELECT Id FROM User");
    expect(result.totalSize).toBeGreaterThan(0);
    expect(conn.accessToken).not.toBe(first);
  });

  it("an expire_session fault invalidates every current token; jsforce re-authorizes", async () => {
    const conn = await connect(sandbox.url);
    const other = await token(sandbox.url);
    await control(sandbox.url, "PUT", "/faults", [
      { kind: "expire_session", path: "/query", times: 1 },
    ]);
    const first = conn.accessToken;
    await conn.query("SELECT Id FROM Lead");
    expect(conn.accessToken).not.toBe(first);
    expect((await call(sandbox.url, other, "GET", "/limits")).status).toBe(401);
    const counts = await control(sandbox.url, "GET", "/counts");
    expect(counts.byEndpoint["POST /services/oauth2/token"]).toBeGreaterThanOrEqual(2);
  });

  it("expireEvery N expires sessions on every Nth API call", async () => {
    const conn = await connect(sandbox.url);
    await control(sandbox.url, "PUT", "/limits", { expireEvery: 3 });
    for (let i = 0; i < 6; i++) await conn.query("SELECT COUNT() FROM Lead");
    const counts = await control(sandbox.url, "GET", "/counts");
    expect(counts.byEndpoint["POST /services/oauth2/token"]).toBeGreaterThanOrEqual(3);
  });
});

describe("discovery and limits", () => {
  it("lists versions and a version's resources", async () => {
    const versions = (await (await fetch(`${sandbox.url}/services/data/`)).json()) as {
      version: string;
      label: string;
      url: string;
    }[];
    expect(versions).toContainEqual({
      label: "Winter '25",
      url: "/services/data/v62.0",
      version: "62.0",
    });
    const t = await token(sandbox.url);
    const resources = await call(sandbox.url, t, "GET", "/services/data/v62.0/");
    expect(resources.status).toBe(200);
    expect(resources.body.query).toBe("/services/data/v62.0/query");
    expect((await call(sandbox.url, t, "GET", "/services/data/v99.0/limits")).status).toBe(404);
  });

  it("puts Sforce-Limit-Info on every API response, errors included", async () => {
    const t = await token(sandbox.url);
    const paths = [
      "/limits",
      "/sobjects",
      "/sobjects/Lead/describe",
      "/query?q=SELECT+Id+FROM+Lead",
      "/query?q=SELEC",
      "/sobjects/Nope/describe",
    ];
    for (const path of paths) {
      const res = await call(sandbox.url, t, "GET", path);
      expect(res.headers.get("sforce-limit-info"), path).toMatch(/^api-usage=\d+\/100000$/);
    }
    const unauthorized = await fetch(`${sandbox.url}/services/data/v62.0/limits`);
    expect(unauthorized.headers.get("sforce-limit-info")).toMatch(/^api-usage=/);
    const versions = await fetch(`${sandbox.url}/services/data/`);
    expect(versions.headers.get("sforce-limit-info")).toMatch(/^api-usage=/);
    const before = Number(
      /=(\d+)\//.exec(
        (await call(sandbox.url, t, "GET", "/limits")).headers.get("sforce-limit-info")!,
      )![1],
    );
    const after = Number(
      /=(\d+)\//.exec(
        (await call(sandbox.url, t, "GET", "/limits")).headers.get("sforce-limit-info")!,
      )![1],
    );
    expect(after).toBe(before + 1);
  });

  it("answers 403 REQUEST_LIMIT_EXCEEDED past the daily allocation, through jsforce too", async () => {
    const conn = await connect(sandbox.url);
    await control(sandbox.url, "PUT", "/limits", { dailyLimit: 5, used: 3 });
    await conn.query("SELECT Id FROM Lead");
    await conn.query("SELECT Id FROM Lead");
    const raw = await call(sandbox.url, conn.accessToken!, "GET", "/limits");
    expect(raw.status).toBe(403);
    expect(raw.body).toEqual([
      { message: "TotalRequests Limit exceeded.", errorCode: "REQUEST_LIMIT_EXCEEDED" },
    ]);
    expect(raw.headers.get("sforce-limit-info")).toBe("api-usage=5/5");
    await expect(conn.query("SELECT Id FROM Lead")).rejects.toMatchObject({
      errorCode: "REQUEST_LIMIT_EXCEEDED",
    });
  });

  it("a request_limit fault answers 403 without spending the allocation", async () => {
    const t = await token(sandbox.url);
    await control(sandbox.url, "PUT", "/faults", [{ kind: "request_limit", times: 1 }]);
    expect((await call(sandbox.url, t, "GET", "/limits")).status).toBe(403);
    expect((await call(sandbox.url, t, "GET", "/limits")).status).toBe(200);
  });

  it("a status fault answers 503 with a Salesforce-like body; jsforce's own retry rides it out", async () => {
    const t = await token(sandbox.url);
    await control(sandbox.url, "PUT", "/faults", [
      { kind: "status", status: 503, path: "/query", times: 1 },
    ]);
    const raw = await call(sandbox.url, t, "GET", "/query?q=SELECT+Id+FROM+Lead");
    expect(raw.status).toBe(503);
    expect(raw.body).toEqual([{ message: expect.any(String), errorCode: "SERVER_UNAVAILABLE" }]);

    const conn = await connect(sandbox.url);
    await control(sandbox.url, "PUT", "/faults", [
      { kind: "status", status: 503, path: "/query", times: 1 },
    ]);
    await control(sandbox.url, "POST", "/counts/reset");
    expect((await conn.query("SELECT Id FROM Lead")).totalSize).toBeGreaterThan(0);
    const counts = await control(sandbox.url, "GET", "/counts");
    expect(counts.byEndpoint["GET /services/data/vXX.X/query"]).toBe(2);
  });

  it("a latency fault delays matching requests", async () => {
    const conn = await connect(sandbox.url);
    await control(sandbox.url, "PUT", "/faults", [
      { kind: "latency", ms: 150, path: "/limits", times: 1 },
    ]);
    const started = Date.now();
    await conn.limits();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});
