import { toHex } from "../../shared/hex";
/**
 * HubSpot webhook signatures (v1, v2, v3), checked with WebCrypto and compared in constant
 * time. HubSpot's SDK uses `===` and skips v3's URI decoding; this does neither.
 */

export const SIGNATURE_MAX_AGE_MS = 5 * 60 * 1000;
// Clocks drift; a timestamp further ahead than this was not made by HubSpot just now.
export const SIGNATURE_MAX_FUTURE_SKEW_MS = 30 * 1000;

export type SignatureVersion = "v1" | "v2" | "v3";

export interface SignedRequest {
  method: string;
  /** The full URI HubSpot called, scheme and host included. */
  uri: string;
  body: string;
  headers: { get(name: string): string | null };
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

const encoder = new TextEncoder();

// v3 signs the URI with these escapes decoded, and only these.
const V3_DECODES: Record<string, string> = {
  "%3A": ":",
  "%2F": "/",
  "%3F": "?",
  "%40": "@",
  "%21": "!",
  "%24": "$",
  "%27": "'",
  "%28": "(",
  "%29": ")",
  "%2A": "*",
  "%2C": ",",
  "%3B": ";",
};

export function decodeHubSpotUri(uri: string): string {
  return uri.replace(
    /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi,
    (m) => V3_DECODES[m.toUpperCase()] ?? m,
  );
}

export async function verifyHubSpotSignature(
  req: SignedRequest,
  secret: string,
  version: SignatureVersion,
  now = Date.now(),
): Promise<SignatureCheck> {
  if (version === "v3") {
    const signature = req.headers.get("x-hubspot-signature-v3");
    const timestamp = req.headers.get("x-hubspot-request-timestamp");
    if (!signature) return { ok: false, reason: "missing X-HubSpot-Signature-v3 header" };
    if (!timestamp || !/^\d{1,16}$/.test(timestamp))
      return { ok: false, reason: "missing or malformed X-HubSpot-Request-Timestamp header" };
    const age = now - Number(timestamp);
    if (age > SIGNATURE_MAX_AGE_MS)
      return { ok: false, reason: "request timestamp is older than 5 minutes" };
    if (age < -SIGNATURE_MAX_FUTURE_SKEW_MS)
      return { ok: false, reason: "request timestamp is in the future" };
    const expected = await hmacSha256Base64(
      secret,
      `${req.method}${decodeHubSpotUri(req.uri)}${req.body}${timestamp}`,
    );
    return timingSafeEqual(signature, expected)
      ? { ok: true }
      : { ok: false, reason: "signature does not match" };
  }
  const signature = req.headers.get("x-hubspot-signature");
  if (!signature) return { ok: false, reason: "missing X-HubSpot-Signature header" };
  const source =
    version === "v1" ? `${secret}${req.body}` : `${secret}${req.method}${req.uri}${req.body}`;
  const expected = await sha256Hex(source);
  return timingSafeEqual(signature.toLowerCase(), expected)
    ? { ok: true }
    : { ok: false, reason: "signature does not match" };
}

// The secret is the same for every request an isolate serves: import its key once.
const hmacKeys = new Map<string, Promise<CryptoKey>>();

export async function hmacSha256Base64(secret: string, message: string): Promise<string> {
  let pending = hmacKeys.get(secret);
  if (!pending) {
    pending = crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    if (hmacKeys.size > 8) hmacKeys.clear();
    hmacKeys.set(secret, pending);
    pending.catch(() => hmacKeys.delete(secret));
  }
  const key = await pending;
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
  let binary = "";
  for (const byte of mac) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export async function sha256Hex(message: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(message)));
  return toHex(digest);
}

/** Compares two strings in time that depends only on their lengths. */
export function timingSafeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  let diff = left.length ^ right.length;
  const n = Math.max(left.length, right.length);
  for (let i = 0; i < n; i++) diff |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return diff === 0;
}
