import { createRemoteJWKSet, errors, jwtVerify } from "jose";

/**
 * Cloudflare Access: verifies the `Cf-Access-Jwt-Assertion` JWT against the team's signing keys.
 */
export interface AccessSettings {
  /** https://<team>.cloudflareaccess.com: the issuer, and where the keys are published. */
  teamDomain: string;
  /** The Access application's audience (AUD) tag. */
  audience: string;
}

/** How long the team's keys are trusted before they are fetched again. */
const KEY_CACHE_MS = 10 * 60 * 1000;
// An unknown kid refetches the keys (Access rotates them), but not more often than this: tokens
// with made-up kids must not turn every request into a fetch of the certs.
const KEY_REFETCH_MIN_MS = 30 * 1000;
const CLOCK_SKEW_S = 60;

/** One key set per team domain, kept for the isolate's life so its cache outlives a request. */
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySet(issuer: string) {
  let keys = keySets.get(issuer);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(`${issuer}/cdn-cgi/access/certs`), {
      cacheMaxAge: KEY_CACHE_MS,
      cooldownDuration: KEY_REFETCH_MIN_MS,
    });
    keySets.set(issuer, keys);
  }
  return keys;
}

/**
 * The identity (email, or subject) when the token is valid for this application; null when it
 * is not. Throws only when the keys cannot be fetched.
 */
export async function verifyAccessJwt(
  token: string,
  settings: AccessSettings,
): Promise<string | null> {
  const issuer = settings.teamDomain.replace(/\/$/, "");
  try {
    const { payload } = await jwtVerify(token, keySet(issuer), {
      algorithms: ["RS256"],
      issuer,
      audience: settings.audience,
      clockTolerance: CLOCK_SKEW_S,
      requiredClaims: ["exp"],
    });
    const who = typeof payload.email === "string" ? payload.email : payload.sub;
    return typeof who === "string" ? who : "access";
  } catch (err) {
    if (isRefusal(err)) return null;
    throw err;
  }
}

/** jose's errors about the token itself; a failure to fetch the keys is not one of them. */
const REFUSALS = [
  errors.JWSInvalid,
  errors.JWTInvalid,
  errors.JWTClaimValidationFailed, // wrong issuer or audience, no exp, outside nbf/exp
  errors.JWSSignatureVerificationFailed,
  errors.JWKSNoMatchingKey,
  errors.JWKSMultipleMatchingKeys,
  errors.JOSEAlgNotAllowed,
  errors.JOSENotSupported,
];

function isRefusal(err: unknown): boolean {
  return REFUSALS.some((kind) => err instanceof kind);
}
