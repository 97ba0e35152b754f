import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { verifyAccessJwt } from "../../workers/admin/access";
import { createApp } from "../../workers/app";
import { ADMIN_TOKEN, admin } from "./admin-client";

/** Every admin route, with a body that would be accepted: auth must refuse before anything runs. */
const ROUTES: [method: string, path: string, body?: unknown][] = [
  ["GET", "/admin/leads"],
  ["GET", "/admin/leads/123"],
  ["POST", "/admin/resync", { contactIds: ["123"] }],
  ["POST", "/admin/backfill", { since: "2024-01-01T00:00:00Z", dryRun: true }],
  ["GET", "/admin/jobs"],
  ["GET", "/admin/jobs/bf_x"],
  ["POST", "/admin/jobs/bf_x/cancel"],
  ["POST", "/admin/jobs/bf_x/resume"],
  ["GET", "/admin/dead-letters"],
  ["POST", "/admin/dead-letters/replay", { all: true }],
  ["GET", "/admin/rules"],
  ["GET", "/admin/rules?version=1"],
  ["GET", "/admin/rules/versions"],
  ["PUT", "/admin/rules", { rules: {} }],
  ["GET", "/admin/mapping"],
  ["GET", "/admin/mapping?version=1"],
  ["GET", "/admin/mapping/versions"],
  ["PUT", "/admin/mapping", { mapping: {} }],
  ["GET", "/admin/sync-health"],
  ["GET", "/admin/subscriptions"],
  ["POST", "/admin/subscriptions/sync"],
  ["GET", "/admin/openapi.json"],
  ["GET", "/admin/reports/funnel/latest"],
  ["GET", "/admin/reports/funnel?date=2024-01-01"],
  ["POST", "/admin/telemetry/run?date=2024-01-01"],
  ["GET", "/admin/quotas"],
  ["PUT", "/admin/quotas", { reps: [{ rep: "a@b.example", quotas: [] }] }],
  ["GET", "/admin/reps"],
  ["PUT", "/admin/reps/005000000000AAA", { startDate: null }],
  ["GET", "/admin/telemetry-config"],
  ["PUT", "/admin/telemetry-config", { rampQuotaShare: 0.5 }],
  ["GET", "/admin/no-such-route"],
];

const withQuery = (path: string, query: string) =>
  `${path}${path.includes("?") ? "&" : "?"}${query}`;

async function expectRefused(res: Awaited<ReturnType<typeof admin<any>>>) {
  expect(res.status).toBe(401);
  expect(res.headers.get("www-authenticate")).toContain("Bearer");
  expect(res.body.error).toMatchObject({
    code: "unauthorized",
    message: "Admin routes need Authorization: Bearer <ADMIN_TOKEN>",
  });
  expect(res.body.error.requestId).toBe(res.headers.get("x-request-id"));
}

describe("admin auth", () => {
  it.each(ROUTES)(
    "%s %s refuses no token, a wrong token and a token in the query string",
    async (method, path, body) => {
      await expectRefused(await admin(method, path, body, {}));
      await expectRefused(
        await admin(method, path, body, { authorization: `Bearer ${ADMIN_TOKEN}x` }),
      );
      await expectRefused(
        await admin(method, path, body, { authorization: `Basic ${btoa(`admin:${ADMIN_TOKEN}`)}` }),
      );
      await expectRefused(await admin(method, withQuery(path, `token=${ADMIN_TOKEN}`), body, {}));
      // Even alongside a valid header: a token in a URL has leaked into logs already.
      await expectRefused(
        await admin(method, withQuery(path, `access_token=${ADMIN_TOKEN}`), body),
      );
      await expectRefused(
        await admin(method, withQuery(path, `t=${encodeURIComponent(ADMIN_TOKEN)}`), body),
      );
    },
  );

  it("lets the right token through", async () => {
    for (const path of [
      "/admin/leads",
      "/admin/rules",
      "/admin/sync-health",
      "/admin/openapi.json",
      "/admin/jobs",
      "/admin/dead-letters",
    ]) {
      expect((await admin("GET", path)).status, path).toBe(200);
    }
  });

  it("serves the dashboard shell without a token, and it holds no data", async () => {
    const page = await admin("GET", "/admin/", undefined, {});
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.text).toContain('id="login-form"');
    expect(page.text).not.toMatch(/handed_off|salesforce/i);
    for (const asset of [
      "app.js",
      "charts.js",
      "panel.js",
      "rules.js",
      "mapping.js",
      "collateral.js",
      "dashboard.css",
    ]) {
      expect((await admin("GET", `/admin/assets/${asset}`, undefined, {})).status, asset).toBe(200);
    }
    expect((await admin("GET", "/admin/assets/secrets.js", undefined, {})).status).toBe(401);
  });
});

describe("Cloudflare Access", () => {
  const TEAM = "https://leadbridge-test.cloudflareaccess.com";
  const AUD = "aud-tag-123";

  async function signer() {
    const keys = (await crypto.subtle.generateKey(
      {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-256",
      },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const jwk = {
      ...((await crypto.subtle.exportKey("jwk", keys.publicKey)) as JsonWebKey),
      kid: "k1",
    };
    const b64 = (bytes: Uint8Array) =>
      btoa(String.fromCharCode(...bytes))
        .replace(/\+/g, "-")
        .replace(/\//g, "_")
        .replace(/=+$/, "");
    const part = (value: unknown) => b64(new TextEncoder().encode(JSON.stringify(value)));
    const sign = async (claims: Record<string, unknown>, kid = "k1") => {
      const head = `${part({ alg: "RS256", kid, typ: "JWT" })}.${part(claims)}`;
      const sig = new Uint8Array(
        await crypto.subtle.sign(
          "RSASSA-PKCS1-v1_5",
          keys.privateKey,
          new TextEncoder().encode(head),
        ),
      );
      return `${head}.${b64(sig)}`;
    };
    return { jwk, sign };
  }

  it("accepts a valid Access JWT and refuses a wrong audience, issuer, expiry or signature", async () => {
    const { jwk, sign } = await signer();
    const other = await signer();
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      expect(String(input instanceof Request ? input.url : input)).toBe(
        `${TEAM}/cdn-cgi/access/certs`,
      );
      return Response.json({ keys: [jwk] });
    });
    try {
      const app = createApp();
      const accessEnv = { ...env, ACCESS_TEAM_DOMAIN: TEAM, ACCESS_AUD: AUD };
      const call = (token: string) =>
        app.request("/admin/rules", { headers: { "cf-access-jwt-assertion": token } }, accessEnv);
      const now = Math.floor(Date.now() / 1000);
      const good = {
        iss: TEAM,
        aud: [AUD],
        exp: now + 300,
        iat: now,
        email: "ops@example.com",
        sub: "u1",
      };
      expect((await call(await sign(good))).status).toBe(200);
      for (const bad of [
        await sign({ ...good, aud: ["someone-else"] }),
        await sign({ ...good, iss: "https://evil.cloudflareaccess.com" }),
        await sign({ ...good, exp: now - 3600 }),
        await other.sign(good),
        (await sign(good)).replace(/\.[^.]+$/, ".AAAA"),
        "not-a-jwt",
      ]) {
        expect((await call(bad)).status).toBe(401);
      }
      // Without Access configured the same valid JWT is not enough.
      expect(
        (
          await createApp().request(
            "/admin/rules",
            { headers: { "cf-access-jwt-assertion": await sign(good) } },
            env,
          )
        ).status,
      ).toBe(401);
    } finally {
      fetchSpy.mockRestore();
    }
  });
  it("refuses a token not valid yet, and follows a key rotation without refetching for every unknown kid", async () => {
    const { jwk, sign } = await signer();
    const rotated = await signer();
    const team = "https://rotation-test.cloudflareaccess.com";
    let published: JsonWebKey[] = [jwk];
    const fetchSpy = vi
      .spyOn(globalThis, "fetch")
      .mockImplementation(async () => Response.json({ keys: published }));
    // jose's key cache and its claim checks both read Date.now(): the test moves that clock.
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const t0 = Date.UTC(2026, 11, 1, 12);
      const at = (ms: number) => {
        vi.setSystemTime(t0 + ms);
        return { teamDomain: team, audience: AUD };
      };
      const now = Math.floor(t0 / 1000);
      const claims = { iss: team, aud: AUD, exp: now + 3600, email: "ops@example.com" };
      expect(await verifyAccessJwt(await sign(claims), at(0))).toBe("ops@example.com");
      // nbf: a minute of clock skew is allowed, more is not.
      expect(await verifyAccessJwt(await sign({ ...claims, nbf: now + 30 }), at(0))).toBe(
        "ops@example.com",
      );
      expect(await verifyAccessJwt(await sign({ ...claims, nbf: now + 120 }), at(0))).toBeNull();
      expect(fetchSpy).toHaveBeenCalledTimes(1);

      // Access rotates to k2. Within 30 s of the last fetch an unknown kid is refused from the
      // cache…
      published = [jwk, { ...rotated.jwk, kid: "k2" }];
      const next = await rotated.sign(claims, "k2");
      for (let i = 0; i < 5; i++)
        expect(
          await verifyAccessJwt(await rotated.sign(claims, `made-up-${i}`), at(10_000)),
        ).toBeNull();
      expect(await verifyAccessJwt(next, at(10_000))).toBeNull();
      expect(fetchSpy).toHaveBeenCalledTimes(1);
      // …after that, it fetches the keys once more and the new key is accepted, then cached.
      expect(await verifyAccessJwt(next, at(31_000))).toBe("ops@example.com");
      expect(await verifyAccessJwt(next, at(32_000))).toBe("ops@example.com");
      expect(await verifyAccessJwt(await sign(claims), at(32_000))).toBe("ops@example.com");
      expect(fetchSpy).toHaveBeenCalledTimes(2);
      // Ten minutes on the cache is stale and fetched again even for a known kid.
      expect(await verifyAccessJwt(next, at(31_000 + 10 * 60 * 1000))).toBe("ops@example.com");
      expect(fetchSpy).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
      fetchSpy.mockRestore();
    }
  });
});
