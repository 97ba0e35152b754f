import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../shared/env";
import { connectSalesforce } from "../../shared/salesforce/client";

/** env.KV with an empty token cache whose reads or writes fail as a KV hiccup would. */
function failingKv(failing: "get" | "put"): KVNamespace {
  return {
    get: async () => {
      if (failing === "get") throw new Error("KV GET failed: 503 Service Unavailable");
      return null;
    },
    put: async () => {
      throw new Error("KV PUT failed: 429 Too Many Requests");
    },
  } as unknown as KVNamespace;
}

afterEach(() => vi.restoreAllMocks());

describe("Salesforce token cache", () => {
  it.each(["put", "get"] as const)(
    "a KV %s that fails does not fail an authorization that succeeded",
    async (failing) => {
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      const conn = await connectSalesforce(loadConfig(env), failingKv(failing));
      const result = await conn.query<{ Id: string }>("SELECT Id FROM Lead LIMIT 1");
      expect(result.done).toBe(true);

      const lines = warn.mock.calls.map((args) => JSON.parse(String(args[0])));
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: "warn",
          event: "salesforce_token_cache_failed",
          op: failing,
        }),
      );
      // The warning names the failure, never the token it was caching.
      const logged = warn.mock.calls.map((args) => String(args[0])).join("\n");
      expect(logged).not.toContain(conn.accessToken!);
    },
  );
});
