// Hostile requests for the bad-input run: one line each, grouped by the surface they attack.
// Add cases to a list (or a new list to HOSTILE_REQUESTS) as routes appear; each must get a
// 4xx JSON error and change nothing anywhere.
import { hmacSha256Base64 } from "../../workers/webhook/signature";

export interface HostileRequest {
  name: string;
  request: () => Promise<Request> | Request;
  /** An exact status when the refusal is fixed by the contract; otherwise any 4xx. */
  status?: number;
}

const ORIGIN = "https://leadbridge.test";
const WEBHOOK = `${ORIGIN}/webhooks/hubspot`;
const SECRET = "sandbox-client-secret";
const ADMIN_TOKEN = "sandbox-admin-token";

const event = (extra: Record<string, unknown> = {}) => ({
  eventId: 7_700_001,
  subscriptionId: 1,
  portalId: 62515,
  appId: 54321,
  occurredAt: Date.now(),
  subscriptionType: "contact.creation",
  attemptNumber: 0,
  objectId: 7_700_001,
  changeSource: "CRM",
  ...extra,
});

/** A webhook signed correctly (unless told otherwise) over `body`. */
async function signed(
  body: string | Uint8Array,
  opts: {
    timestamp?: number;
    signature?: string;
    headers?: Record<string, string>;
    uri?: string;
    method?: string;
  } = {},
) {
  const uri = opts.uri ?? WEBHOOK;
  const method = opts.method ?? "POST";
  const timestamp = opts.timestamp ?? Date.now();
  const text = typeof body === "string" ? body : new TextDecoder().decode(body);
  const signature =
    opts.signature ?? (await hmacSha256Base64(SECRET, `${method}${uri}${text}${timestamp}`));
  return new Request(uri, {
    method,
    headers: {
      "content-type": "application/json",
      "x-hubspot-signature-v3": signature,
      "x-hubspot-request-timestamp": String(timestamp),
      ...opts.headers,
    },
    body,
  });
}

const json = (value: unknown) => JSON.stringify(value);
const INJECTIONS = [
  "1' OR '1'='1",
  "1; DROP TABLE leads; --",
  "<script>alert(1)</script>",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as text
  "${7*7}",
  "../../etc/passwd",
  "%00",
  "{{constructor.constructor('return 1')()}}",
];

export const WEBHOOK_SIGNATURE_CASES: HostileRequest[] = [
  {
    name: "no signature headers",
    status: 401,
    request: () => new Request(WEBHOOK, { method: "POST", body: json([event()]) }),
  },
  {
    name: "signature without timestamp",
    status: 401,
    request: async () => {
      const r = await signed(json([event()]));
      r.headers.delete("x-hubspot-request-timestamp");
      return r;
    },
  },
  {
    name: "wrong signature",
    status: 401,
    request: () =>
      signed(json([event()]), { signature: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" }),
  },
  {
    name: "empty signature",
    status: 401,
    request: () => signed(json([event()]), { signature: "" }),
  },
  {
    name: "signature made with another secret",
    status: 401,
    request: async () => {
      const ts = Date.now();
      const body = json([event()]);
      return signed(body, {
        timestamp: ts,
        signature: await hmacSha256Base64("not-the-secret", `POST${WEBHOOK}${body}${ts}`),
      });
    },
  },
  {
    name: "signature over another body",
    status: 401,
    request: async () => {
      const ts = Date.now();
      return signed(json([event({ objectId: 1 })]), {
        timestamp: ts,
        signature: await hmacSha256Base64(SECRET, `POST${WEBHOOK}${json([event()])}${ts}`),
      });
    },
  },
  {
    name: "signature over another host",
    status: 401,
    request: async () => {
      const ts = Date.now();
      const body = json([event()]);
      return signed(body, {
        timestamp: ts,
        signature: await hmacSha256Base64(
          SECRET,
          `POSThttps://evil.example/webhooks/hubspot${body}${ts}`,
        ),
      });
    },
  },
  {
    name: "signature over GET replayed as POST",
    status: 401,
    request: async () => {
      const ts = Date.now();
      const body = json([event()]);
      return signed(body, {
        timestamp: ts,
        signature: await hmacSha256Base64(SECRET, `GET${WEBHOOK}${body}${ts}`),
      });
    },
  },
  {
    name: "v1 signature while v3 is configured",
    status: 401,
    request: () =>
      new Request(WEBHOOK, {
        method: "POST",
        headers: { "x-hubspot-signature": "0".repeat(64) },
        body: json([event()]),
      }),
  },
  {
    name: "signature with a trailing byte",
    status: 401,
    request: async () => {
      const ts = Date.now();
      const body = json([event()]);
      return signed(body, {
        timestamp: ts,
        signature: `${await hmacSha256Base64(SECRET, `POST${WEBHOOK}${body}${ts}`)}x`,
      });
    },
  },
  {
    name: "injection string as signature",
    status: 401,
    request: () => signed(json([event()]), { signature: INJECTIONS[0]! }),
  },
];

export const WEBHOOK_TIMESTAMP_CASES: HostileRequest[] = [
  {
    name: "timestamp 6 minutes old",
    status: 401,
    request: () => signed(json([event()]), { timestamp: Date.now() - 6 * 60_000 }),
  },
  {
    name: "timestamp a day old",
    status: 401,
    request: () => signed(json([event()]), { timestamp: Date.now() - 86_400_000 }),
  },
  {
    name: "timestamp 10 minutes ahead",
    status: 401,
    request: () => signed(json([event()]), { timestamp: Date.now() + 10 * 60_000 }),
  },
  { name: "timestamp zero", status: 401, request: () => signed(json([event()]), { timestamp: 0 }) },
  {
    name: "timestamp in seconds, not ms",
    status: 401,
    request: () => signed(json([event()]), { timestamp: Math.floor(Date.now() / 1000) }),
  },
  {
    name: "timestamp not a number",
    status: 401,
    request: async () => {
      const r = await signed(json([event()]));
      r.headers.set("x-hubspot-request-timestamp", "yesterday");
      return r;
    },
  },
  {
    name: "negative timestamp",
    status: 401,
    request: async () => {
      const r = await signed(json([event()]));
      r.headers.set("x-hubspot-request-timestamp", "-1");
      return r;
    },
  },
  {
    name: "huge timestamp",
    status: 401,
    request: async () => {
      const r = await signed(json([event()]));
      r.headers.set("x-hubspot-request-timestamp", "9".repeat(40));
      return r;
    },
  },
];

export const WEBHOOK_SIZE_CASES: HostileRequest[] = [
  {
    name: "body over 1 MiB",
    status: 413,
    request: () => signed(json([event({ propertyValue: "x".repeat(1_100_000) })])),
  },
  { name: "5 MiB of spaces", status: 413, request: () => signed(" ".repeat(5 * 1024 * 1024)) },
  {
    name: "101 events",
    status: 400,
    request: () => signed(json(Array.from({ length: 101 }, (_, i) => event({ eventId: i + 1 })))),
  },
  { name: "empty body", status: 400, request: () => signed("") },
  { name: "empty array", status: 400, request: () => signed("[]") },
  {
    name: "property value over 64 KiB",
    status: 400,
    request: () =>
      signed(
        json([
          event({
            subscriptionType: "contact.propertyChange",
            propertyName: "email",
            propertyValue: "x".repeat(70_000),
          }),
        ]),
      ),
  },
  {
    name: "100,000 nested arrays",
    status: 400,
    request: () => signed("[".repeat(100_000) + "]".repeat(100_000)),
  },
];

export const WEBHOOK_SHAPE_CASES: HostileRequest[] = [
  { name: "not JSON", status: 400, request: () => signed("hello") },
  { name: "truncated JSON", status: 400, request: () => signed(json([event()]).slice(0, -5)) },
  { name: "an object, not an array", status: 400, request: () => signed(json(event())) },
  { name: "a JSON string", status: 400, request: () => signed(json("[]")) },
  { name: "null", status: 400, request: () => signed("null") },
  { name: "array of nulls", status: 400, request: () => signed("[null,null]") },
  { name: "array of numbers", status: 400, request: () => signed("[1,2,3]") },
  {
    name: "missing eventId",
    status: 400,
    request: () => signed(json([{ ...event(), eventId: undefined }])),
  },
  {
    name: "missing portalId",
    status: 400,
    request: () => signed(json([{ ...event(), portalId: undefined }])),
  },
  {
    name: "missing type",
    status: 400,
    request: () => signed(json([event({ subscriptionType: undefined })])),
  },
  {
    name: "string occurredAt",
    status: 400,
    request: () => signed(json([event({ occurredAt: "2024-01-01" })])),
  },
  {
    name: "negative occurredAt",
    status: 400,
    request: () => signed(json([event({ occurredAt: -5 })])),
  },
  { name: "float eventId", status: 400, request: () => signed(json([event({ eventId: 1.5 })])) },
  {
    name: "objectId as object",
    status: 400,
    request: () => signed(json([event({ objectId: { $gt: 0 } })])),
  },
  {
    name: "mergedObjectIds not an array",
    status: 400,
    request: () =>
      signed(json([event({ subscriptionType: "contact.merge", mergedObjectIds: "1,2" })])),
  },
  {
    name: "one good event, one bad",
    status: 400,
    request: () => signed(json([event(), event({ eventId: "x" })])),
  },
  { name: "JSON with a BOM", request: () => signed(`\uFEFF${json([event()])}`) },
];

export const WEBHOOK_ENCODING_CASES: HostileRequest[] = [
  { name: "invalid UTF-8 bytes", request: () => signed(new Uint8Array([0x5b, 0xff, 0xfe, 0x5d])) },
  {
    name: "UTF-16 body",
    request: () => signed(new Uint8Array([0xff, 0xfe, 0x5b, 0x00, 0x5d, 0x00])),
  },
  {
    name: "gzip-labelled binary body",
    status: 400,
    request: () =>
      signed(new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]), {
        headers: { "content-encoding": "gzip" },
      }),
  },
  {
    name: "form-encoded body",
    status: 400,
    request: () =>
      signed("eventId=1&portalId=62515", {
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
  },
  { name: "NUL bytes in JSON", status: 400, request: () => signed(`[${"\u0000".repeat(16)}]`) },
  {
    name: "GET on the webhook",
    status: 404,
    request: () => new Request(WEBHOOK, { method: "GET" }),
  },
  {
    name: "PUT on the webhook",
    status: 404,
    request: () => signed(json([event()]), { method: "PUT" }),
  },
];

export const WEBHOOK_INJECTION_CASES: HostileRequest[] = INJECTIONS.flatMap((s) => [
  {
    name: `injection as objectId: ${s}`,
    status: 400,
    request: () => signed(json([event({ objectId: s })])),
  },
  {
    name: `injection as portalId: ${s}`,
    status: 400,
    request: () => signed(json([event({ portalId: s })])),
  },
]);

const admin = (path: string, init: RequestInit = {}) => new Request(`${ORIGIN}${path}`, init);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
// Not "/admin/": the dashboard shell is public and holds no data.
const ADMIN_PATHS = [
  "/admin/leads",
  "/admin/leads/1",
  "/admin/rules",
  "/admin/dead-letters",
  "/admin/sync-health",
  "/admin/openapi.json",
];

/** Auth refusals on every admin path: these hold for routes that exist and routes still to come. */
export const ADMIN_AUTH_CASES: HostileRequest[] = [
  ...ADMIN_PATHS.map((p) => ({ name: `no token: GET ${p}`, status: 401, request: () => admin(p) })),
  {
    name: "wrong token",
    status: 401,
    request: () => admin("/admin/leads", { headers: bearer("sandbox-admin-tokeN") }),
  },
  {
    name: "token prefix",
    status: 401,
    request: () => admin("/admin/leads", { headers: bearer(ADMIN_TOKEN.slice(0, -1)) }),
  },
  {
    name: "token plus a byte",
    status: 401,
    request: () => admin("/admin/leads", { headers: bearer(`${ADMIN_TOKEN}x`) }),
  },
  {
    name: "empty bearer",
    status: 401,
    request: () => admin("/admin/leads", { headers: { authorization: "Bearer " } }),
  },
  {
    name: "Basic auth with the token",
    status: 401,
    request: () =>
      admin("/admin/leads", {
        headers: { authorization: `Basic ${btoa(`admin:${ADMIN_TOKEN}`)}` },
      }),
  },
  {
    name: "token without scheme",
    status: 401,
    request: () => admin("/admin/leads", { headers: { authorization: ADMIN_TOKEN } }),
  },
  {
    name: "token in the query string",
    status: 401,
    request: () => admin(`/admin/leads?token=${ADMIN_TOKEN}`, { headers: bearer(ADMIN_TOKEN) }),
  },
  {
    name: "access_token in the query string",
    status: 401,
    request: () => admin(`/admin/leads?access_token=${ADMIN_TOKEN}`),
  },
  {
    name: "two tokens in one header",
    status: 401,
    request: () =>
      admin("/admin/leads", { headers: { authorization: `Bearer wrong, Bearer ${ADMIN_TOKEN}` } }),
  },
  {
    name: "injection as token",
    status: 401,
    request: () => admin("/admin/leads", { headers: bearer(INJECTIONS[1]!) }),
  },
  {
    name: "huge token",
    status: 401,
    request: () => admin("/admin/leads", { headers: bearer("a".repeat(16_000)) }),
  },
  {
    name: "resync without token",
    status: 401,
    request: () => admin("/admin/resync", { method: "POST", body: json({ contactIds: ["1"] }) }),
  },
  {
    name: "backfill without token",
    status: 401,
    request: () =>
      admin("/admin/backfill", { method: "POST", body: json({ since: 0, until: Date.now() }) }),
  },
  {
    name: "dead-letter replay without token",
    status: 401,
    request: () => admin("/admin/dead-letters/replay", { method: "POST", body: "{}" }),
  },
  {
    name: "rules update without token",
    status: 401,
    request: () => admin("/admin/rules", { method: "PUT", body: json({ minEngagementScore: 0 }) }),
  },
  {
    name: "telemetry run without token",
    status: 401,
    request: () => admin("/admin/telemetry/run?date=2024-01-01", { method: "POST" }),
  },
  {
    name: "forged Access JWT",
    status: 401,
    request: () =>
      admin("/admin/leads", {
        headers: { "cf-access-jwt-assertion": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9." },
      }),
  },
  {
    name: "path traversal without token",
    status: 401,
    request: () => admin("/admin/../admin/leads"),
  },
];

/**
 * With a valid token, bodies and parameters no route may accept. While a route does not
 * exist the answer is 404; once it does, it must refuse with a 400 and change nothing.
 */
export const ADMIN_INPUT_CASES: HostileRequest[] = [
  {
    name: "resync with a non-JSON body",
    request: () =>
      admin("/admin/resync", {
        method: "POST",
        headers: bearer(ADMIN_TOKEN),
        body: "contactIds=1",
      }),
  },
  {
    name: "resync with injection ids",
    request: () =>
      admin("/admin/resync", {
        method: "POST",
        headers: { ...bearer(ADMIN_TOKEN), "content-type": "application/json" },
        body: json({ contactIds: INJECTIONS }),
      }),
  },
  {
    name: "resync with 100,000 ids",
    request: () =>
      admin("/admin/resync", {
        method: "POST",
        headers: { ...bearer(ADMIN_TOKEN), "content-type": "application/json" },
        body: json({ contactIds: Array.from({ length: 100_000 }, (_, i) => String(i)) }),
      }),
  },
  {
    name: "backfill with until before since",
    request: () =>
      admin("/admin/backfill", {
        method: "POST",
        headers: { ...bearer(ADMIN_TOKEN), "content-type": "application/json" },
        body: json({ since: Date.now(), until: 0 }),
      }),
  },
  {
    name: "rules update with a negative score",
    request: () =>
      admin("/admin/rules", {
        method: "PUT",
        headers: { ...bearer(ADMIN_TOKEN), "content-type": "application/json" },
        body: json({ minEngagementScore: -1 }),
      }),
  },
  {
    name: "rules update with prototype pollution",
    request: () =>
      admin("/admin/rules", {
        method: "PUT",
        headers: { ...bearer(ADMIN_TOKEN), "content-type": "application/json" },
        body: '{"__proto__":{"admin":true}}',
      }),
  },
  {
    name: "lead lookup by injection id",
    request: () =>
      admin(`/admin/leads/${encodeURIComponent(INJECTIONS[0]!)}`, { headers: bearer(ADMIN_TOKEN) }),
  },
  {
    name: "telemetry run for an impossible date",
    request: () =>
      admin("/admin/telemetry/run?date=2024-13-45", {
        method: "POST",
        headers: bearer(ADMIN_TOKEN),
      }),
  },
  {
    name: "dead-letter replay of unknown ids",
    request: () =>
      admin("/admin/dead-letters/replay", {
        method: "POST",
        headers: { ...bearer(ADMIN_TOKEN), "content-type": "application/json" },
        body: json({ ids: ["'; DELETE FROM dead_letters; --"] }),
      }),
  },
];

export const HOSTILE_REQUESTS: Record<string, HostileRequest[]> = {
  "webhook signatures": WEBHOOK_SIGNATURE_CASES,
  "webhook timestamps": WEBHOOK_TIMESTAMP_CASES,
  "webhook sizes": WEBHOOK_SIZE_CASES,
  "webhook shapes": WEBHOOK_SHAPE_CASES,
  "webhook encodings": WEBHOOK_ENCODING_CASES,
  "webhook injections": WEBHOOK_INJECTION_CASES,
  "admin auth": ADMIN_AUTH_CASES,
  "admin inputs": ADMIN_INPUT_CASES,
};
