import { createHmac, randomBytes } from "node:crypto";

// OAuth sessions issued by the client-credentials flow. Client-credentials sessions carry no
// refresh token, so an expired one is only recovered by authorizing again.

export const DEFAULT_SESSION_SECONDS = 2 * 60 * 60;

export class Sessions {
  lifetimeMs = DEFAULT_SESSION_SECONDS * 1000;
  private expiresAt = new Map<string, number>();

  issue(orgId: string): { token: string; issuedAt: number } {
    const issuedAt = Date.now();
    // Real tokens are "<15-char org id>!<opaque>"; clients sometimes log the prefix.
    const token = `${orgId.slice(0, 15)}!${randomBytes(48).toString("base64url")}`;
    this.expiresAt.set(token, issuedAt + this.lifetimeMs);
    return { token, issuedAt };
  }

  isValid(token: string | undefined): boolean {
    if (!token) return false;
    const expiry = this.expiresAt.get(token);
    if (expiry === undefined) return false;
    if (expiry <= Date.now()) {
      this.expiresAt.delete(token);
      return false;
    }
    return true;
  }

  expireAll(): void {
    this.expiresAt.clear();
  }
}

/**
 * The token response's `signature`: base64 HMAC-SHA256 of id + issued_at, keyed by the client
 * secret.
 */
export function signIdentity(clientSecret: string, idUrl: string, issuedAt: number): string {
  return createHmac("sha256", clientSecret).update(`${idUrl}${issuedAt}`).digest("base64");
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header ?? "");
  return match?.[1]?.trim();
}
