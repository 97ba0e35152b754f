import { execFile } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main";
import { explainUnsettled, RESET_RULES_COMMAND, rulesChanges } from "../../dev/demo-explain";
import { type Stack, startStack } from "../../dev/stack";
import { DEFAULT_RULES } from "../../shared/contracts/rules";
import { ADMIN_TOKEN, adminApi } from "./admin-stack";

describe("explaining what the demo waited for", () => {
  it("names the refusal, its reasons and rules version, and the command that restores the defaults", () => {
    const strict = { ...DEFAULT_RULES, minEngagementScore: 95 };
    expect(rulesChanges(strict)).toEqual(["minEngagementScore 95 (default 60)"]);
    expect(rulesChanges(DEFAULT_RULES)).toEqual([]);
    const text = explainUnsettled(
      [
        {
          contactId: "7",
          status: "rejected",
          reasons: ["engagement_below_threshold"],
          rulesVersion: 4,
        },
        { contactId: "8", status: null, reasons: [], rulesVersion: null },
      ],
      { version: 4, rules: strict },
      "handed off",
    );
    expect(text).toContain(
      "contact 7: refused under qualification rules v4 (engagement_below_threshold)",
    );
    expect(text).toContain("contact 8: not judged yet");
    expect(text).toContain("minEngagementScore 95 (default 60)");
    expect(text).toContain(`restore the defaults with: ${RESET_RULES_COMMAND}`);
    // Under the default rules a refusal is the contact's own: no advice to reset anything.
    expect(
      explainUnsettled(
        [{ contactId: "7", status: "rejected", reasons: ["missing_email"], rulesVersion: 1 }],
        { version: 1, rules: DEFAULT_RULES },
        "handed off",
      ),
    ).not.toContain(RESET_RULES_COMMAND);
  });
});

// `npm run demo` against `npm start` after an admin made the rules stricter: the demo says what
// happened and what to do instead of "is npm start running?", and the command it names works.
describe("npm run demo under stricter rules", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ isolatedState: true });
  }, 180_000);
  afterAll(async () => stack?.stop());

  const cli = async (...argv: string[]) => {
    const lines: string[] = [];
    const code = await main(
      [...argv, "--url", stack.workerUrl],
      { LEADBRIDGE_ADMIN_TOKEN: ADMIN_TOKEN },
      { out: (l) => lines.push(l), tty: false, pollMs: 200 },
    );
    return { code, text: lines.join("\n") };
  };

  it("says the contact was refused, why and under which rules, and how to restore the defaults", async () => {
    const api = adminApi(stack.workerUrl);
    const strict = await api.call<{ version: number }>("PUT", "/admin/rules", {
      rules: { ...DEFAULT_RULES, minEngagementScore: 95 },
      note: "stricter",
    });
    const run = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile(
        path.resolve("node_modules/.bin/tsx"),
        ["dev/demo.ts"],
        {
          env: {
            ...process.env,
            HUBSPOT_URL: stack.hubspotUrl,
            SALESFORCE_URL: stack.salesforceUrl,
            LEADBRIDGE_URL: stack.workerUrl,
            LEADBRIDGE_STATE_DIR: stack.stateDir,
          },
          timeout: 180_000,
        },
        (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      ),
    );
    expect(run.code, run.out).not.toBe(0);
    expect(run.out).not.toContain("is npm start running?");
    expect(run.out).toContain(`refused under qualification rules v${strict.version} (`);
    expect(run.out).toContain("engagement_below_threshold");
    expect(run.out).toContain(`restore the defaults with: ${RESET_RULES_COMMAND}`);

    const reset = await cli("rules", "reset");
    expect(reset.code).toBe(0);
    expect(reset.text).toBe(`rules v${strict.version + 1} (the defaults) are now in force`);
    const inForce = await api.call<{ rules: unknown }>("GET", "/admin/rules");
    expect(inForce.rules).toEqual(DEFAULT_RULES);
  }, 300_000);
});
