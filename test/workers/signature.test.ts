import { describe, expect, it } from "vitest";
import {
  decodeHubSpotUri,
  hmacSha256Base64,
  timingSafeEqual,
  verifyHubSpotSignature,
} from "../../workers/webhook/signature";

const SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
const headers = (h: Record<string, string>) => new Headers(h);

describe("HubSpot's published vectors", () => {
  it("v1: sha256(secret + body)", async () => {
    const body =
      '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]';
    const signature = "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de";
    const req = {
      method: "POST",
      uri: "https://x.test/webhooks/hubspot",
      body,
      headers: headers({ "x-hubspot-signature": signature }),
    };
    expect(await verifyHubSpotSignature(req, SECRET, "v1")).toEqual({ ok: true });
    expect(
      (await verifyHubSpotSignature({ ...req, body: body.replace("123", "124") }, SECRET, "v1")).ok,
    ).toBe(false);
  });

  it("v2: sha256(secret + method + uri + body)", async () => {
    const signature = "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e";
    const req = {
      method: "GET",
      uri: "https://www.example.com/webhook_uri",
      body: "",
      headers: headers({ "x-hubspot-signature": signature }),
    };
    expect(await verifyHubSpotSignature(req, SECRET, "v2")).toEqual({ ok: true });
    expect((await verifyHubSpotSignature({ ...req, method: "POST" }, SECRET, "v2")).ok).toBe(false);
  });
});

describe("v3", () => {
  const now = 1_700_000_000_000;
  const sign = async (method: string, uri: string, body: string, ts: number) =>
    hmacSha256Base64(SECRET, `${method}${uri}${body}${ts}`);

  it("accepts a fresh HMAC over the URI with HubSpot's escapes decoded", async () => {
    const seen =
      "https://hooks.example.com/webhooks/hubspot?tag=a%3Ab%2Fc%40d%21%24%27%28%29%2A%2C%3B&x=%20";
    const signedUri = "https://hooks.example.com/webhooks/hubspot?tag=a:b/c@d!$'()*,;&x=%20";
    const body = '[{"eventId":1}]';
    const signature = await sign("POST", signedUri, body, now - 1000);
    const req = {
      method: "POST",
      uri: seen,
      body,
      headers: headers({
        "x-hubspot-signature-v3": signature,
        "x-hubspot-request-timestamp": String(now - 1000),
      }),
    };
    expect(await verifyHubSpotSignature(req, SECRET, "v3", now)).toEqual({ ok: true });
    // %20 is not one HubSpot decodes: signing it decoded must fail.
    const wrong = await sign("POST", signedUri.replace("%20", " "), body, now - 1000);
    const refused = await verifyHubSpotSignature(
      {
        ...req,
        headers: headers({
          "x-hubspot-signature-v3": wrong,
          "x-hubspot-request-timestamp": String(now - 1000),
        }),
      },
      SECRET,
      "v3",
      now,
    );
    expect(refused.ok).toBe(false);
  });

  it("refuses stale, future, missing and malformed timestamps", async () => {
    const body = "[]";
    const uri = "https://h.test/webhooks/hubspot";
    const attempt = async (ts: string, at = now) =>
      verifyHubSpotSignature(
        {
          method: "POST",
          uri,
          body,
          headers: headers({
            "x-hubspot-signature-v3": await sign("POST", uri, body, Number(ts)),
            "x-hubspot-request-timestamp": ts,
          }),
        },
        SECRET,
        "v3",
        at,
      );
    expect((await attempt(String(now - 4 * 60_000))).ok).toBe(true);
    expect(await attempt(String(now - 5 * 60_000 - 1))).toEqual({
      ok: false,
      reason: "request timestamp is older than 5 minutes",
    });
    expect(await attempt(String(now + 60_000))).toEqual({
      ok: false,
      reason: "request timestamp is in the future",
    });
    expect((await attempt("12e5")).ok).toBe(false);
    const missing = await verifyHubSpotSignature(
      { method: "POST", uri, body, headers: headers({}) },
      SECRET,
      "v3",
      now,
    );
    expect(missing).toEqual({ ok: false, reason: "missing X-HubSpot-Signature-v3 header" });
  });

  it("decodes only the escapes HubSpot lists", () => {
    expect(decodeHubSpotUri("https://a.test/p%3a%2F?q=%3F%40%25%20")).toBe(
      "https://a.test/p:/?q=?@%25%20",
    );
  });
});

describe("timingSafeEqual", () => {
  it("compares by value, including length", () => {
    expect(timingSafeEqual("abc", "abc")).toBe(true);
    expect(timingSafeEqual("abc", "abd")).toBe(false);
    expect(timingSafeEqual("abc", "abcd")).toBe(false);
    expect(timingSafeEqual("", "")).toBe(true);
  });
});
