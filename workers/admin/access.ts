/** Cloudflare Access: verifies the `Cf-Access-Jwt-Assertion` JWT against the team's signing keys (RS256, WebCrypto). */

export interface AccessSettings {
  /** https://<team>.cloudflareaccess.com: the issuer, and where the keys are published. */
  teamDomain: string;
  /** The Access application's audience (AUD) tag. */
  audience: string;
  now?: () => number;
}

type Jwk = JsonWebKey & { kid?: string };
export interface Jwks {
  keys: Jwk[];
}

const KEY_CACHE_MS = 10 * 60 * 1000;
// An unknown kid refetches the keys (Access rotates them), but not more often than this: tokens
// with made-up kids must not turn every request into a fetch of the certs.
const KEY_REFETCH_MIN_MS = 30 * 1000;
const CLOCK_SKEW_S = 60;
const cache = new Map<string, { keys: Jwks; at: number }>();

const fetchKeys = async (url: string): Promise<Jwks> => {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`Access keys unavailable (${res.status})`);
  return (await res.json()) as Jwks;
};

/** The identity (email, or subject) when the token is valid for this application; null otherwise. */
export async function verifyAccessJwt(
  token: string,
  settings: AccessSettings,
): Promise<string | null> {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJson(headerPart);
  const payload = decodeJson(payloadPart);
  if (!header || !payload || header.alg !== "RS256" || typeof header.kid !== "string") return null;

  const issuer = settings.teamDomain.replace(/\/$/, "");
  const nowMs = (settings.now ?? Date.now)();
  const now = Math.floor(nowMs / 1000);
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (payload.iss !== issuer || !audiences.includes(settings.audience)) return null;
  if (typeof payload.exp !== "number" || payload.exp + CLOCK_SKEW_S < now) return null;
  if (typeof payload.nbf === "number" && payload.nbf - CLOCK_SKEW_S > now) return null;

  const jwk = await findKey(issuer, header.kid, nowMs);
  if (!jwk) return null;
  const key = await crypto.subtle.importKey(
    "jwk",
    jwk,
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    false,
    ["verify"],
  );
  const signed = new TextEncoder().encode(`${headerPart}.${payloadPart}`);
  const signature = base64UrlBytes(signaturePart);
  if (!signature || !(await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, signature, signed)))
    return null;
  const who = typeof payload.email === "string" ? payload.email : payload.sub;
  return typeof who === "string" ? who : "access";
}

/** Keys are cached for 10 minutes; an unknown kid fetches them again (at most every 30 s), since Access rotates its keys. */
async function findKey(issuer: string, kid: string, now: number): Promise<Jwk | undefined> {
  const url = `${issuer}/cdn-cgi/access/certs`;
  const cached = cache.get(url);
  if (cached && now - cached.at < KEY_CACHE_MS) {
    const hit = cached.keys.keys.find((k) => k.kid === kid);
    if (hit || now - cached.at < KEY_REFETCH_MIN_MS) return hit;
  }
  const keys = await fetchKeys(url);
  cache.set(url, { keys, at: now });
  return keys.keys.find((k) => k.kid === kid);
}

function decodeJson(part: string): Record<string, unknown> | null {
  const bytes = base64UrlBytes(part);
  if (!bytes) return null;
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function base64UrlBytes(part: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return null;
  const b64 = part
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(part.length / 4) * 4, "=");
  try {
    return Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}
