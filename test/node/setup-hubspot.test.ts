import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Client } from "@hubspot/api-client";
import type { PropertyUpdate } from "@hubspot/api-client/lib/codegen/crm/properties";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HubSpotSandbox, startHubSpotSandbox } from "../../sandbox/hubspot/server";
import { SALES_STAGES } from "../../shared/contracts/sales";
import { LEADBRIDGE_PROPERTIES } from "../../shared/hubspot/properties";

const TOKEN = "sandbox-hubspot-token";
let sandbox: HubSpotSandbox;
let hubspot: Client;

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ port: 0, rateLimits: false });
  hubspot = new Client({ accessToken: TOKEN, basePath: sandbox.url, numberOfApiCallRetries: 0 });
});
afterAll(() => sandbox.close());

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const SCRIPT = fileURLToPath(new URL("../../cli/setup-hubspot.ts", import.meta.url));

/**
 * The CLI as a child process against the sandbox (async: the sandbox serves in this process);
 * through `npm run setup:hubspot` when `viaNpm`, else straight through tsx, which is quicker.
 */
function setup(
  env: Record<string, string> = {},
  args: string[] = [],
  viaNpm = false,
): Promise<Run> {
  const [command, argv] = viaNpm
    ? ["npm", ["run", "--silent", "setup:hubspot", "--", ...args]]
    : [process.execPath, ["--import", "tsx", SCRIPT, ...args]];
  return new Promise((resolve) => {
    execFile(
      command,
      argv,
      {
        env: { ...process.env, HUBSPOT_ACCESS_TOKEN: TOKEN, HUBSPOT_BASE_URL: sandbox.url, ...env },
        encoding: "utf8",
      },
      (err, stdout, stderr) => {
        const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function resetWithoutProperties() {
  const res = await fetch(`${sandbox.url}/__sandbox/reset`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ leadbridgeProperties: false }),
  });
  expect(res.status).toBe(200);
}

async function propertyPosts(): Promise<number> {
  const counts = (await (await fetch(`${sandbox.url}/__sandbox/counts`)).json()) as Record<
    string,
    number
  >;
  return Object.entries(counts)
    .filter(([route]) => /^(POST|PATCH) \/crm\/v3\/properties/.test(route))
    .reduce((sum, [, n]) => sum + n, 0);
}

describe("npm run setup:hubspot", () => {
  it("prints help naming every property it creates", async () => {
    const run = await setup({}, ["--help"], true);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Usage: npm run setup:hubspot");
    for (const p of LEADBRIDGE_PROPERTIES) expect(run.stdout).toContain(p.name);
  });

  it("creates the group and every property in a portal where setup has not run, through npm run", async () => {
    await resetWithoutProperties();
    const before = await fetch(`${sandbox.url}/crm/v3/properties/contacts/leadbridge_status`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(before.status).toBe(404);

    const run = await setup({}, [], true);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("group leadbridge: created");
    expect(run.stdout).toContain(
      "created leadbridge_status (enumeration: handed_off, rejected, existing_contact)",
    );
    for (const p of LEADBRIDGE_PROPERTIES) expect(run.stdout).toContain(`created ${p.name}`);
    expect(run.stdout).toContain(`Done: ${LEADBRIDGE_PROPERTIES.length} created, 0 updated`);

    const group = await hubspot.crm.properties.groupsApi.getByName("contacts", "leadbridge");
    expect(group).toMatchObject({ name: "leadbridge", label: "Leadbridge" });
    for (const wanted of LEADBRIDGE_PROPERTIES) {
      const got = await hubspot.crm.properties.coreApi.getByName("contacts", wanted.name);
      expect(got).toMatchObject({
        name: wanted.name,
        label: wanted.label,
        type: wanted.type,
        fieldType: wanted.fieldType,
        groupName: "leadbridge",
        description: wanted.description,
        hubspotDefined: false,
      });
      expect(got.options.map((o) => o.value)).toEqual((wanted.options ?? []).map((o) => o.value));
    }
    const stage = await hubspot.crm.properties.coreApi.getByName(
      "contacts",
      "leadbridge_sales_stage",
    );
    expect(stage.options.map((o) => o.value)).toEqual([...SALES_STAGES]);
  });

  it("leaves the portal as it is on a second run and says so", async () => {
    const posts = await propertyPosts();
    const run = await setup();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("group leadbridge: already there");
    expect(run.stdout).not.toMatch(/^created /m);
    expect(run.stdout).toContain(
      `Nothing to do: all ${LEADBRIDGE_PROPERTIES.length} properties were already there.`,
    );
    expect(await propertyPosts()).toBe(posts);
  });

  it("adds the options a property lacks, keeping the portal's own", async () => {
    await hubspot.crm.properties.coreApi.update("contacts", "leadbridge_sales_stage", {
      options: [
        { label: "Accepted", value: "accepted", displayOrder: 0, hidden: false },
        { label: "On hold", value: "on_hold", displayOrder: 1, hidden: false },
      ],
    } as PropertyUpdate);
    const run = await setup();
    expect(run.code).toBe(0);
    const missing = SALES_STAGES.filter((s) => s !== "accepted");
    expect(run.stdout).toContain(
      `updated leadbridge_sales_stage: added options ${missing.join(", ")}`,
    );
    expect(run.stdout).toContain(
      `Done: 0 created, 1 updated, ${LEADBRIDGE_PROPERTIES.length - 1} already there.`,
    );
    const stage = await hubspot.crm.properties.coreApi.getByName(
      "contacts",
      "leadbridge_sales_stage",
    );
    expect(stage.options.map((o) => o.value)).toEqual(["accepted", "on_hold", ...missing]);
    // Every value the outcome sync writes is accepted now.
    const contact = await hubspot.crm.contacts.basicApi.create({
      properties: { email: "stage@acme.example", leadbridge_sales_stage: "ClosedLost" },
      associations: [],
    });
    expect(contact.properties.leadbridge_sales_stage).toBe("ClosedLost");
  });

  it("leaves a property of another type alone and says so", async () => {
    await resetWithoutProperties();
    await hubspot.crm.properties.groupsApi.create("contacts", { name: "leadbridge", label: "LB" });
    await hubspot.crm.properties.coreApi.create("contacts", {
      name: "leadbridge_status",
      label: "Status by hand",
      type: "string",
      fieldType: "text",
      groupName: "leadbridge",
    } as never);
    const run = await setup();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "left alone: leadbridge_status is of type string in HubSpot, Leadbridge defines it as enumeration",
    );
    expect(run.stdout).toContain(`Done: ${LEADBRIDGE_PROPERTIES.length - 1} created`);
  });

  it("exits non-zero with a clear message on a bad token", async () => {
    const run = await setup({ HUBSPOT_ACCESS_TOKEN: "not-the-token" });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "error: HubSpot refused the access token (401). Set HUBSPOT_ACCESS_TOKEN",
    );
    expect(run.stdout).not.toContain("created");
  });

  it("exits non-zero when no token is set", async () => {
    const run = await setup({ HUBSPOT_ACCESS_TOKEN: "" });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error: set HUBSPOT_ACCESS_TOKEN");
  });

  it("exits non-zero with HubSpot's message on another error", async () => {
    await resetWithoutProperties();
    await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        kind: "status",
        status: 400,
        path: "/crm/v3/properties/contacts/groups",
      }),
    });
    const run = await setup();
    await fetch(`${sandbox.url}/__sandbox/faults`, { method: "DELETE" });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error: HubSpot answered 400 to list property groups: HTTP 400");
  });
});
