import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ensureDevVars } from "../../dev/stack";

const root = path.resolve(import.meta.dirname, "../..");
const scratch = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "leadbridge-devvars-"));
  copyFileSync(path.join(root, ".dev.vars.example"), path.join(dir, ".dev.vars.example"));
  return dir;
};
const read = (dir: string) => readFileSync(path.join(dir, ".dev.vars"), "utf8");

describe("production config carries no sandbox values", () => {
  it("wrangler.toml leaves the portal id, app id and Salesforce login URL empty", () => {
    const toml = readFileSync(path.join(root, "wrangler.toml"), "utf8");
    for (const name of ["HUBSPOT_PORTAL_ID", "HUBSPOT_APP_ID", "SALESFORCE_LOGIN_URL"])
      expect(toml).toMatch(new RegExp(`^${name} = ""$`, "m"));
    expect(toml).not.toMatch(/62515|54321|login\.salesforce\.com"/);
  });
});

describe("npm start's .dev.vars", () => {
  it("is copied from the example when missing", () => {
    const dir = scratch();
    expect(ensureDevVars(dir)).toEqual({ created: true, added: [] });
    expect(read(dir)).toBe(readFileSync(path.join(dir, ".dev.vars.example"), "utf8"));
  });

  it("gets the keys an older one lacks, and keeps the developer's own values", () => {
    const dir = scratch();
    // A .dev.vars written before the sandbox ids moved out of wrangler.toml, one value changed.
    writeFileSync(
      path.join(dir, ".dev.vars"),
      "HUBSPOT_ACCESS_TOKEN=my-token\nHUBSPOT_CLIENT_SECRET=sandbox-client-secret\nSALESFORCE_CLIENT_ID=sandbox-sf-client-id\nSALESFORCE_CLIENT_SECRET=sandbox-sf-client-secret\nADMIN_TOKEN=sandbox-admin-token",
    );
    expect(ensureDevVars(dir)).toEqual({
      created: false,
      added: ["HUBSPOT_PORTAL_ID", "HUBSPOT_APP_ID", "HUBSPOT_DEVELOPER_API_KEY"],
    });
    const text = read(dir);
    expect(text).toContain("HUBSPOT_ACCESS_TOKEN=my-token\n");
    expect(text).not.toContain("HUBSPOT_ACCESS_TOKEN=sandbox-hubspot-token");
    expect(text).toMatch(
      /\nHUBSPOT_PORTAL_ID=62515\nHUBSPOT_APP_ID=54321\nHUBSPOT_DEVELOPER_API_KEY=sandbox-developer-api-key\n$/,
    );
    // Once complete, nothing more is added.
    expect(ensureDevVars(dir)).toEqual({ created: false, added: [] });
    expect(read(dir)).toBe(text);
  });
});
