import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliError } from "../../cli/api";
import { main } from "../../cli/main";
import { type Stack, startStack } from "../../dev/stack";
import { ADMIN_TOKEN, adminApi, createHubSpotContact, waitFor } from "./admin-stack";
import { connect } from "./salesforce-client";

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

describe("npm run admin", () => {
  it("prints help through the npm script", () => {
    const out = execFileSync("npm", ["run", "--silent", "admin", "--", "--help"], {
      encoding: "utf8",
    });
    expect(out).toContain("Usage: npm run admin -- <command>");
    for (const command of [
      "resync",
      "backfill",
      "replay",
      "report",
      "rules",
      "mapping",
      "routing",
      "collateral",
      "subscriptions",
    ])
      expect(out).toContain(command);
  });

  it("backfills a range and follows the job to the end", async () => {
    const since = new Date().toISOString();
    const ids = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        await createHubSpotContact(stack.hubspotUrl, {
          email: `cli${i}.${Date.now()}@gmail.com`,
          lastname: `Cli${i}`,
        }),
      );
    const until = new Date(Date.now() + 1000).toISOString();
    const res = await cli("backfill", "--since", since, "--until", until, "--page-size", "2");
    expect(res.code).toBe(0);
    expect(res.lines[0]).toMatch(/^started backfill bf_\w+/);
    expect(res.lines.at(-1)).toMatch(/^bf_\w+ done: 3 scanned, 0 handed off, 3 refused$/);
    // The webhooks judged them too; the backfill added one judgement each.
    const lead = await adminApi(stack.workerUrl).call("GET", `/admin/leads/${ids[0]}`);
    expect(lead.lead.status).toBe("rejected");
  });

  it("draws a progress bar on a terminal instead of progress lines", async () => {
    const since = new Date().toISOString();
    for (let i = 0; i < 2; i++)
      await createHubSpotContact(stack.hubspotUrl, {
        email: `clitty${i}.${Date.now()}@gmail.com`,
        lastname: `Tty${i}`,
      });
    const until = new Date(Date.now() + 1000).toISOString();
    // A terminal as cli-progress sees one: isTTY and a width; what is drawn is kept.
    let drawn = "";
    const terminal = Object.assign(
      new Writable({
        write: (chunk, _enc, done) => {
          drawn += String(chunk);
          done();
        },
      }),
      { isTTY: true, columns: 200 },
    );
    const lines: string[] = [];
    const code = await main(
      ["backfill", "--since", since, "--until", until, "--url", stack.workerUrl],
      { LEADBRIDGE_ADMIN_TOKEN: ADMIN_TOKEN },
      { out: (l) => lines.push(l), tty: true, progress: terminal, pollMs: 200 },
    );
    expect(code).toBe(0);
    // Standard output: the start and the end, no progress lines.
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^bf_\w+ done: 2 scanned, 0 handed off, 2 refused$/);
    expect(drawn).toContain("\x1B[?25l"); // cursor hidden while drawing…
    expect(drawn).toMatch(
      /backfill \[[█░]+\] 2\/2 \| scanned 2 \| enqueued 2 \| handed off 0 \| refused 2/,
    );
    expect(drawn).toContain("\x1B[?25h"); // …and shown again
  });

  it("resyncs, lists and replays dead letters, and reads and sets rules", async () => {
    const id = await createHubSpotContact(stack.hubspotUrl, {
      email: `cli.resync.${Date.now()}@gmail.com`,
      lastname: "Resync",
    });
    expect((await cli("resync", id)).text).toBe("queued 1 contact(s) to be judged again");
    await waitFor(
      async () =>
        (await adminApi(stack.workerUrl).call("GET", "/admin/leads?status=rejected")).leads.some(
          (l: { contactId: string }) => l.contactId === id,
        )
          ? true
          : undefined,
      30_000,
      "the resynced contact",
    );

    expect((await cli("replay")).lines[0]).toBe("0 open dead letter(s)");
    expect((await cli("replay", "--all")).text).toBe("replayed 0, skipped 0, 0 still open");

    const current = JSON.parse((await cli("rules", "get")).text);
    const file = path.join(mkdtempSync(path.join(tmpdir(), "leadbridge-rules-")), "rules.json");
    writeFileSync(file, JSON.stringify({ ...current.rules, minEngagementScore: 55 }));
    expect((await cli("rules", "set", file, "--note", "from the CLI test")).text).toBe(
      `rules v${current.version + 1} are now in force`,
    );
    expect((await cli("rules", "versions")).lines[0]).toMatch(
      new RegExp(`^v${current.version + 1} .* admin-token +from the CLI test$`),
    );
    expect(
      JSON.parse((await cli("rules", "get", "--version", String(current.version))).text).rules
        .minEngagementScore,
    ).toBe(current.rules.minEngagementScore);
  });

  it("reads and sets the field mapping, naming each field Salesforce refuses", async () => {
    const current = JSON.parse((await cli("mapping", "get")).text);
    expect(current.mapping.fields.map((f: { field: string }) => f.field)).toContain(
      "Qualification_Criteria__c",
    );
    const dir = mkdtempSync(path.join(tmpdir(), "leadbridge-mapping-"));
    const bad = path.join(dir, "bad.json");
    const extra = { field: "No_Such_Field__c", from: { constant: "x" } };
    writeFileSync(bad, JSON.stringify({ fields: [...current.mapping.fields, extra] }));
    await expect(cli("mapping", "set", bad)).rejects.toThrow(
      /400: .*\n {2}fields\[10\] No_Such_Field__c: /,
    );
    const good = path.join(dir, "good.json");
    const description = { field: "Description", from: { template: "{contact.jobtitle}" } };
    // A whole version, as `mapping get` prints it, is read too.
    writeFileSync(
      good,
      JSON.stringify({ ...current, mapping: { fields: [...current.mapping.fields, description] } }),
    );
    expect((await cli("mapping", "set", good, "--note", "from the CLI test")).text).toBe(
      `mapping v${current.version + 1} is now in force`,
    );
    expect((await cli("mapping", "versions")).lines[0]).toMatch(
      new RegExp(`^v${current.version + 1} .* from the CLI test$`),
    );
  });

  it("reads and sets the routing, naming each user Salesforce would not give leads to", async () => {
    const none = JSON.parse((await cli("routing", "get")).text);
    expect(none).toMatchObject({ version: null, routing: null });
    const conn = await connect(stack.salesforceUrl);
    const user = async (name: string, IsActive: boolean) =>
      (
        await conn.sobject("User").create({
          LastName: name,
          Email: `${name}@cli.example`,
          Username: `${name}.${Date.now()}@cli.example`,
          IsActive,
        })
      ).id!;
    const [active, gone] = [await user("Active", true), await user("Gone", false)];
    const dir = mkdtempSync(path.join(tmpdir(), "leadbridge-routing-"));
    const pool = (userIds: string[]) => ({
      pools: [{ name: "inbound", members: userIds.map((userId) => ({ userId })) }],
    });
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify(pool([active, gone])));
    await expect(cli("routing", "set", bad)).rejects.toThrow(
      new RegExp(
        `400: .*\\n {2}pools\\[0\\]\\.members\\[1\\]\\.userId: ${gone} \\(Gone\\) is inactive`,
      ),
    );
    const good = path.join(dir, "good.json");
    writeFileSync(good, JSON.stringify(pool([active])));
    expect((await cli("routing", "set", good, "--note", "from the CLI test")).text).toBe(
      "routing v1 is now in force (day caps and business hours in America/Los_Angeles)",
    );
    expect((await cli("routing", "versions")).lines).toEqual([
      expect.stringMatching(/^v1 .* admin-token +from the CLI test$/),
    ]);
    const preview = await cli("routing", "preview", bad, "--days", "7");
    expect(preview.lines[0]).toMatch(
      /^\d+ new Lead\(s\) handed off in the past 7 day\(s\), spread by this routing \(days in America\/Los_Angeles\):$/,
    );
    expect(preview.text).toContain("  pool inbound (round_robin): ");
    expect(preview.text).toContain(
      `    ${gone}  0 lead(s), weight 1, no cap, busiest day 0 (inactive`,
    );
    expect(preview.lines.at(-1)).toBe("nothing was saved");
    expect((await cli("routing", "versions")).lines).toHaveLength(1);
    expect(JSON.parse((await cli("routing", "get", "--version", "1")).text).routing.pools).toEqual([
      expect.objectContaining({
        name: "inbound",
        members: [{ userId: active, weight: 1, dailyCap: null }],
      }),
    ]);
  });

  it("lists, adds, publishes and archives collateral versions", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadbridge-collateral-"));
    const asset = (version: string) => {
      const file = path.join(dir, `${version}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          assetId: "cli-guide",
          version,
          type: "guide",
          title: "CLI Guide",
          targetAudience: "buyers",
          url: "https://example.com/cli-guide",
          attribution: { conversionEvents: ["CLI guide download"], leadSource: "web" },
          ...(version === "1.0.0" ? { status: "published" } : {}),
        }),
      );
      return file;
    };
    expect((await cli("collateral", "add", asset("1.0.0"))).text).toBe(
      'added cli-guide 1.0.0 published: guide "CLI Guide" for buyers https://example.com/cli-guide; credited by event "CLI guide download", source web',
    );
    expect((await cli("collateral", "add", asset("1.1.0"))).text).toMatch(
      /^added cli-guide 1\.1\.0 draft: /,
    );
    const seen = async () =>
      (await cli("collateral", "list")).lines.filter((l) => l.startsWith("cli-guide "));
    expect(await seen()).toEqual([expect.stringMatching(/^cli-guide 1\.0\.0 published: /)]);
    expect((await cli("collateral", "publish", "cli-guide", "1.1.0")).text).toMatch(
      /^published cli-guide 1\.1\.0 published: /,
    );
    expect(await seen()).toEqual([expect.stringMatching(/^cli-guide 1\.1\.0 published: /)]);
    await cli("collateral", "archive", "cli-guide", "1.1.0");
    expect(
      (await cli("collateral", "list", "--all")).lines.filter((l) => l.startsWith("cli-guide ")),
    ).toEqual([
      expect.stringMatching(/^cli-guide 1\.1\.0 archived: /),
      expect.stringMatching(/^cli-guide 1\.0\.0 published: /),
    ]);
    await expect(cli("collateral", "publish", "cli-guide", "1.1")).rejects.toThrow(
      /400: path\.version: expected a semantic version/,
    );
  });

  it("runs and prints the funnel report", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const res = await cli("report", "--run", today);
    expect(res.text).toContain(`Funnel report ${today}`);
    expect(res.text).toMatch(/contactsJudged\s+\d+/);
    expect(res.text).toMatch(/routing (v\d+|\(none saved\)): \d+ assigned/);
  });

  it("shows the webhook subscriptions: npm start's are exactly the needed ones; sync adds a new criterion's", async () => {
    const shown = await cli("subscriptions");
    expect(shown.text).toContain("HubSpot sends every event");
    expect(shown.text).not.toMatch(/^(missing|extra):/m);
    const sandbox = await (
      await fetch(`${stack.hubspotUrl}/__sandbox/webhooks/subscription`)
    ).json();
    expect(sandbox.targetUrl).toBe(stack.webhookUrl);
    expect(sandbox.propertyNames).toContain("hs_analytics_num_visits");

    const api = adminApi(stack.workerUrl);
    const current = await api.call("GET", "/admin/rules");
    const website = {
      name: "has_website",
      description: "the contact gave a website",
      match: "all",
      conditions: [{ property: "contact.website", op: "exists" }],
      required: false,
    };
    await api.call("PUT", "/admin/rules", {
      rules: { ...current.rules, criteria: [...current.rules.criteria, website] },
      note: "CLI test: a website criterion",
    });
    try {
      expect((await cli("subscriptions")).text).toContain(
        "missing: contact.propertyChange website",
      );
      const synced = await cli("subscriptions", "sync");
      expect(synced.text).toContain("created: contact.propertyChange website");
      expect(synced.text).toContain("HubSpot sends every event");
    } finally {
      await api.call("PUT", "/admin/rules", { rules: current.rules, note: "CLI test: back" });
    }
  });

  it("explains what is wrong instead of failing obscurely", async () => {
    await expect(
      main(["resync", "1"], {}, { out: () => {}, tty: false, pollMs: 10 }),
    ).rejects.toThrow(/LEADBRIDGE_ADMIN_TOKEN/);
    await expect(
      main(
        ["rules", "--url", stack.workerUrl],
        { LEADBRIDGE_ADMIN_TOKEN: "wrong-token-wrong-token" },
        { out: () => {}, tty: false, pollMs: 10 },
      ),
    ).rejects.toThrow(/401/);
    await expect(cli("backfill")).rejects.toBeInstanceOf(CliError);
    await expect(cli("frobnicate")).rejects.toThrow(/unknown command/);
  });
});
