import { createHash, createHmac } from "node:crypto";

/** v1: hex SHA-256 (not an HMAC) of client secret + body. */
export function signatureV1(clientSecret: string, body: string): string {
  return createHash("sha256")
    .update(clientSecret + body)
    .digest("hex");
}

/** v3: base64 HMAC-SHA256 keyed by the client secret over method + uri + body + timestamp. */
export function signatureV3(
  clientSecret: string,
  method: string,
  uri: string,
  body: string,
  timestamp: string,
): string {
  return createHmac("sha256", clientSecret)
    .update(method + uri + body + timestamp)
    .digest("base64");
}

// HubSpot signs the URI with these escapes decoded, and receivers decode them before checking.
const SIGNED_URI_DECODES: [RegExp, string][] = [
  [/%3A/gi, ":"],
  [/%2F/gi, "/"],
  [/%3F/gi, "?"],
  [/%40/gi, "@"],
  [/%21/gi, "!"],
  [/%24/gi, "$"],
  [/%27/gi, "'"],
  [/%28/gi, "("],
  [/%29/gi, ")"],
  [/%2A/gi, "*"],
  [/%2C/gi, ","],
  [/%3B/gi, ";"],
];

export function signedUri(uri: string): string {
  return SIGNED_URI_DECODES.reduce((u, [encoded, plain]) => u.replace(encoded, plain), uri);
}

/** The headers HubSpot sends with each webhook POST. */
export function webhookHeaders(
  clientSecret: string,
  uri: string,
  body: string,
  now = Date.now(),
): Record<string, string> {
  const timestamp = String(now);
  return {
    "Content-Type": "application/json",
    "User-Agent": "HubSpot Connect 2.0 (http://dev.hubspot.com/) - WebhooksExecutorDaemon",
    "X-HubSpot-Signature": signatureV1(clientSecret, body),
    "X-HubSpot-Signature-Version": "v1",
    "X-HubSpot-Signature-v3": signatureV3(clientSecret, "POST", signedUri(uri), body, timestamp),
    "X-HubSpot-Request-Timestamp": timestamp,
  };
}
