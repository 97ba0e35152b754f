import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../shared/env";
import { createApp } from "../../workers/app";

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

  it("names the privacy deletion choices and defaults to deleting unconverted Leads", () => {
    const broken = { ...env, SALESFORCE_PRIVACY_DELETION: "delete" } as unknown as Env;
    expect(() => loadConfig(broken)).toThrow(
      /SALESFORCE_PRIVACY_DELETION must be one of delete_unconverted, flag, keep/,
    );
    expect(
      loadConfig({ ...env, SALESFORCE_PRIVACY_DELETION: undefined } as unknown as Env),
    ).toMatchObject({
      SALESFORCE_PRIVACY_DELETION: "delete_unconverted",
    });
  });
});

describe("the customer's own ids and My Domain", () => {
  const withVars = (vars: Record<string, string>) => ({ ...env, ...vars }) as unknown as Env;

  it.each([
    [
      "HUBSPOT_PORTAL_ID",
      /variable HUBSPOT_PORTAL_ID is not set: set it to your HubSpot portal \(hub\) id \(wrangler\.toml \[vars\]\)/,
    ],
    [
      "HUBSPOT_APP_ID",
      /variable HUBSPOT_APP_ID is not set: set it to the id of the HubSpot app whose webhooks Leadbridge receives/,
    ],
    [
      "SALESFORCE_LOGIN_URL",
      /variable SALESFORCE_LOGIN_URL is not set: set it to your org's My Domain URL, https:\/\/<domain>\.my\.salesforce\.com/,
    ],
  ])("refuses an empty %s and says what to set", (name, message) => {
    expect(() => loadConfig(withVars({ [name]: "" }))).toThrow(message);
  });

  it.each([
    "https://login.salesforce.com",
    "https://test.salesforce.com/",
    "https://LOGIN.salesforce.com",
  ])("refuses %s: the client-credentials flow needs the org's My Domain", (url) => {
    expect(() => loadConfig(withVars({ SALESFORCE_LOGIN_URL: url }))).toThrow(
      /SALESFORCE_LOGIN_URL must be your org's My Domain URL \(https:\/\/<domain>\.my\.salesforce\.com\)/,
    );
  });

  it("accepts a My Domain URL", () => {
    const config = loadConfig(withVars({ SALESFORCE_LOGIN_URL: "https://acme.my.salesforce.com" }));
    expect(config.SALESFORCE_LOGIN_URL).toBe("https://acme.my.salesforce.com");
  });

  it("lists the problems on GET /health", async () => {
    const broken = withVars({
      HUBSPOT_PORTAL_ID: "",
      HUBSPOT_APP_ID: "",
      SALESFORCE_LOGIN_URL: "https://login.salesforce.com",
    });
    const res = await createApp().request("/health", {}, broken);
    const body = (await res.json()) as { ok: boolean; config: { ok: boolean; problems: string[] } };
    expect(body.config.ok).toBe(false);
    expect(body.config.problems).toEqual([
      expect.stringMatching(/^variable HUBSPOT_PORTAL_ID is not set: set it to/),
      expect.stringMatching(/^variable HUBSPOT_APP_ID is not set: set it to/),
      expect.stringMatching(/^SALESFORCE_LOGIN_URL must be your org's My Domain URL/),
    ]);
  });
});
