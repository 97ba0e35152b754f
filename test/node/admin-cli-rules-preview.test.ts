import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliError } from "../../cli/api";
import { main } from "../../cli/main";
import { type Stack, startStack } from "../../dev/stack";
import { ADMIN_TOKEN, adminApi, createHubSpotContact, waitFor } from "./admin-stack";

// `npm run admin -- rules preview` against npm start's stack: contacts judged through real signed
// webhooks, a rules file previewed from the terminal, the answer in words, nothing saved.

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ isolatedState: true });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

async function cli(...argv: string[]) {
  const lines: string[] = [];
  const code = await main(
    [...argv, "--url", stack.workerUrl],
    { LEADBRIDGE_ADMIN_TOKEN: ADMIN_TOKEN },
    { out: (l) => lines.push(l), tty: false, pollMs: 200 },
  );
  return { code, lines, text: lines.join("\n") };
}

const judged = (id: string) =>
  waitFor(
    async () => {
      // A 404 until the webhook's events are judged.
      const { lead } = await adminApi(stack.workerUrl)
        .call<{ lead: { status: string } | null }>("GET", `/admin/leads/${id}`)
        .catch(() => ({ lead: null }));
      return lead && ["handed_off", "rejected"].includes(lead.status) ? lead.status : undefined;
    },
    30_000,
    `contact ${id} judged`,
  );

describe("npm run admin -- rules preview", () => {
  it("says what a rules file would flip, by reason and source, and saves nothing", async () => {
    const n = Date.now();
    const contact = (tag: string, score: string) => ({
      email: `preview.${tag}.${n}@acme-robotics.com`,
      firstname: "Pat",
      lastname: `Preview${tag}`,
      company: "Acme Robotics",
      jobtitle: "Senior Software Engineer",
      hubspotscore: score,
      hs_analytics_source: "REFERRALS",
      hs_analytics_last_url: "https://acme.example/pricing",
    });
    const strong = await createHubSpotContact(stack.hubspotUrl, contact("a", "75"));
    const middling = await createHubSpotContact(stack.hubspotUrl, contact("b", "65"));
    expect([await judged(strong), await judged(middling)]).toEqual(["handed_off", "handed_off"]);

    const current = JSON.parse((await cli("rules", "get")).text);
    const file = path.join(mkdtempSync(path.join(tmpdir(), "leadbridge-preview-")), "rules.json");
    writeFileSync(file, JSON.stringify({ ...current.rules, minEngagementScore: 70 }));
    const res = await cli("rules", "preview", file, "--days", "7");
    expect(res.code).toBe(0);
    expect(res.lines[0]).toMatch(
      new RegExp(
        `^judged \\d+ contact\\(s\\) last judged in the past 7 day\\(s\\), under rules v${current.version} in force`,
      ),
    );
    const refused = res.lines.find((l) => l.includes("would be refused instead of qualified"));
    expect(refused).toMatch(/^ {2}\d+ would be refused instead of qualified \(e\.g\. /);
    expect(refused).toContain(middling);
    expect(refused).not.toContain(strong);
    expect(res.text).toMatch(/^ {2}engagement_below_threshold +\d+ → \d+$/m);
    expect(res.text).toMatch(/^ {2}referrals +2 of 2 → 1 of 2$/m);
    expect(res.text).toContain(
      "every property these rules name was read when the contacts were judged",
    );
    expect(res.lines.at(-1)).toMatch(/^nothing was saved/);
    // Nothing saved: the same version is in force.
    expect(JSON.parse((await cli("rules", "get")).text).version).toBe(current.version);

    await expect(cli("rules", "preview", file, "--days", "soon")).rejects.toThrow(CliError);
    writeFileSync(file, JSON.stringify({ ...current.rules, minEngagementScore: 101 }));
    await expect(cli("rules", "preview", file)).rejects.toThrow(/rules\.minEngagementScore/);
  });
});
