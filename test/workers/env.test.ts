import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../shared/env";

describe("loadConfig", () => {
  it("accepts the test environment", () => {
    expect(loadConfig(env).SALESFORCE_API_VERSION).toBe("62.0");
  });

  it("names a missing secret and how to set it", () => {
    const broken = { ...env, HUBSPOT_CLIENT_SECRET: undefined } as unknown as Env;
    expect(() => loadConfig(broken)).toThrow(ConfigError);
    expect(() => loadConfig(broken)).toThrow(
      /secret HUBSPOT_CLIENT_SECRET is not set \(wrangler secret put/,
    );
  });

  it("names a malformed variable", () => {
    const broken = { ...env, WEBHOOK_SIGNATURE_VERSION: "v9" } as unknown as Env;
    expect(() => loadConfig(broken)).toThrow(/WEBHOOK_SIGNATURE_VERSION/);
  });
});
