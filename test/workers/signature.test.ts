import { afterEach, describe, expect, it, vi } from "vitest";
import {
  decodeHubSpotUri,
  hmacSha256Base64,
  SIGNATURE_MAX_AGE_MS,
  SIGNATURE_MAX_FUTURE_SKEW_MS,
  type SignatureVersion,
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

describe("v1 and v2 refusals", () => {
  const req = (h: Record<string, string>) => ({
    method: "POST",
    uri: "https://x.test/webhooks/hubspot",
    body: "[]",
    headers: headers(h),
  });

  it.each(["v1", "v2"] as SignatureVersion[])(
    "%s: no X-HubSpot-Signature header is refused as missing",
    async (version) => {
      expect(await verifyHubSpotSignature(req({}), SECRET, version)).toEqual({
        ok: false,
        reason: "missing X-HubSpot-Signature header",
      });
      // The v3 header does not stand in for it.
      expect(
        await verifyHubSpotSignature(req({ "x-hubspot-signature-v3": "abc" }), SECRET, version),
      ).toEqual({ ok: false, reason: "missing X-HubSpot-Signature header" });
    },
  );

  it.each(["v1", "v2"] as SignatureVersion[])(
    "%s: a wrong signature is refused as not matching",
    async (version) => {
      const wrong = "0".repeat(64);
      expect(
        await verifyHubSpotSignature(req({ "x-hubspot-signature": wrong }), SECRET, version),
      ).toEqual({ ok: false, reason: "signature does not match" });
    },
  );
});

describe("v3 against a vector computed outside this code", () => {
  // HMAC-SHA256, base64, of POST + decoded URI + body + timestamp under SECRET, computed with
  // `openssl dgst -sha256 -hmac <secret> -binary | base64` (and node:crypto, which agrees).
  const ts = "1700000000000";
  const body = '[{"eventId":1,"subscriptionType":"contact.creation","objectId":123}]';
  const vector = "+XzrFG1e4WgC/E53EdwvGEgrkIaeIu9KB2jHoSivDuQ=";
  const req = (signature: string) => ({
    method: "POST",
    uri: "https://hooks.example.com/webhooks/hubspot?src=a%3Ab%40c%21",
    body,
    headers: headers({
      "x-hubspot-signature-v3": signature,
      "x-hubspot-request-timestamp": ts,
    }),
  });

  it("accepts HubSpot's signature and refuses one that differs by a character", async () => {
    expect(
      await hmacSha256Base64(
        SECRET,
        `POSThttps://hooks.example.com/webhooks/hubspot?src=a:b@c!${body}${ts}`,
      ),
    ).toBe(vector);
    expect(await verifyHubSpotSignature(req(vector), SECRET, "v3", Number(ts))).toEqual({
      ok: true,
    });
    const tampered = `${vector.slice(0, -2)}A=`;
    expect(await verifyHubSpotSignature(req(tampered), SECRET, "v3", Number(ts))).toEqual({
      ok: false,
      reason: "signature does not match",
    });
    // A valid signature with something appended is as wrong as any other.
    expect(await verifyHubSpotSignature(req(`${vector}x`), SECRET, "v3", Number(ts))).toEqual({
      ok: false,
      reason: "signature does not match",
    });
  });
});

describe("v3 timestamp window, at its edges", () => {
  const now = 1_700_000_000_000;
  const uri = "https://h.test/webhooks/hubspot";
  const body = "[]";
  // Signs exactly the header text, so only the timestamp check can refuse.
  const attempt = async (ts: string | null) => {
    const h: Record<string, string> = {
      "x-hubspot-signature-v3": await hmacSha256Base64(SECRET, `POST${uri}${body}${ts ?? ""}`),
    };
    if (ts !== null) h["x-hubspot-request-timestamp"] = ts;
    return verifyHubSpotSignature(
      { method: "POST", uri, body, headers: headers(h) },
      SECRET,
      "v3",
      now,
    );
  };

  it("accepts a request exactly 5 minutes old and refuses one a millisecond older", async () => {
    expect(SIGNATURE_MAX_AGE_MS).toBe(5 * 60_000);
    expect(await attempt(String(now - 5 * 60_000))).toEqual({ ok: true });
    expect(await attempt(String(now - 5 * 60_000 - 1))).toEqual({
      ok: false,
      reason: "request timestamp is older than 5 minutes",
    });
  });

  it("tolerates 30 seconds of clock skew ahead, and not a millisecond more", async () => {
    expect(SIGNATURE_MAX_FUTURE_SKEW_MS).toBe(30_000);
    expect(await attempt(String(now + 1_000))).toEqual({ ok: true });
    expect(await attempt(String(now + 30_000))).toEqual({ ok: true });
    expect(await attempt(String(now + 30_001))).toEqual({
      ok: false,
      reason: "request timestamp is in the future",
    });
  });

  it.each([
    ["missing", null],
    ["empty", ""],
    ["in exponent notation", "17e11"],
    ["with a leading letter", "x1700000000000"],
    ["with a trailing letter", "1700000000000x"],
    ["with a space inside", "1700000 000000"],
    ["negative", "-1700000000000"],
    ["fractional", "1700000000000.5"],
    ["longer than 16 digits", "01700000000000000"],
  ])("refuses a timestamp %s as malformed, even when it was signed", async (_, ts) => {
    expect(await attempt(ts)).toEqual({
      ok: false,
      reason: "missing or malformed X-HubSpot-Request-Timestamp header",
    });
  });
});

describe("the HMAC key cache", () => {
  afterEach(() => vi.restoreAllMocks());
  let n = 0;
  const fresh = () => `secret-${Date.now()}-${n++}`;

  it("does not remember a key import that failed", async () => {
    const secret = fresh();
    const real = crypto.subtle.importKey.bind(crypto.subtle);
    const importKey = vi
      .spyOn(crypto.subtle, "importKey")
      .mockRejectedValueOnce(new Error("transient"))
      .mockImplementation(real as typeof crypto.subtle.importKey);
    await expect(hmacSha256Base64(secret, "m")).rejects.toThrow("transient");
    // The next webhook signed with the same secret is checked, not refused forever.
    expect(await hmacSha256Base64(secret, "m")).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(importKey).toHaveBeenCalledTimes(2);
  });

  it("imports each secret's key once, also while two secrets alternate", async () => {
    const [a, b] = [fresh(), fresh()];
    const importKey = vi.spyOn(crypto.subtle, "importKey");
    for (let i = 0; i < 3; i++) {
      await hmacSha256Base64(a, `m${i}`);
      await hmacSha256Base64(b, `m${i}`);
    }
    expect(importKey).toHaveBeenCalledTimes(2);
  });

  it("keeps keys for a bounded number of secrets", async () => {
    const secrets = Array.from({ length: 20 }, fresh);
    for (const s of secrets) await hmacSha256Base64(s, "m");
    const importKey = vi.spyOn(crypto.subtle, "importKey");
    await hmacSha256Base64(secrets[0]!, "m");
    expect(importKey).toHaveBeenCalledTimes(1);
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
