import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";

// `npm start` exactly as the README says (on free ports, through the env overrides it documents):
// all three parts answer with demo data seeded and webhooks wired, and Ctrl-C stops all three.
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe("npm start", () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    try {
      if (child?.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  });

  it("brings up sandbox HubSpot, sandbox Salesforce and the Worker, wired and seeded, and Ctrl-C stops them", async () => {
    const [hubspot, salesforce, worker] = [await freePort(), await freePort(), await freePort()];
    child = spawn("npm", ["start"], {
      env: {
        ...process.env,
        HUBSPOT_SANDBOX_PORT: String(hubspot),
        SALESFORCE_SANDBOX_PORT: String(salesforce),
        WORKER_PORT: String(worker),
      },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    const deadline = Date.now() + 150_000;
    while (
      !out.includes("Ctrl-C stops everything") &&
      Date.now() < deadline &&
      child.exitCode === null
    )
      await new Promise((r) => setTimeout(r, 250));
    expect(out, out).toContain("Ctrl-C stops everything");
    for (const url of [
      `http://127.0.0.1:${hubspot}`,
      `http://127.0.0.1:${salesforce}`,
      `http://127.0.0.1:${worker}/health`,
      `http://127.0.0.1:${worker}/admin/`,
    ]) {
      expect(out).toContain(url);
    }

    const health = (await (await fetch(`http://127.0.0.1:${worker}/health`)).json()) as {
      ok: boolean;
    };
    expect(health.ok).toBe(true);
    const contacts = await fetch(`http://127.0.0.1:${hubspot}/crm/v3/objects/contacts?limit=5`, {
      headers: { authorization: "Bearer sandbox-hubspot-token" },
    });
    expect(((await contacts.json()) as { results: unknown[] }).results.length).toBeGreaterThan(0);
    const subscription = (await (
      await fetch(`http://127.0.0.1:${hubspot}/__sandbox/webhooks/subscription`)
    ).json()) as { targetUrl: string };
    expect(subscription.targetUrl).toBe(`http://127.0.0.1:${worker}/webhooks/hubspot`);
    const token = await fetch(`http://127.0.0.1:${salesforce}/services/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: "sandbox-sf-client-id",
        client_secret: "sandbox-sf-client-secret",
      }),
    });
    const { access_token, instance_url } = (await token.json()) as {
      access_token: string;
      instance_url: string;
    };
    const opps = await fetch(
      `${instance_url}/services/data/v62.0/query?q=${encodeURIComponent("SELECT Id FROM Opportunity")}`,
      { headers: { authorization: `Bearer ${access_token}` } },
    );
    expect(((await opps.json()) as { totalSize: number }).totalSize).toBeGreaterThan(0);

    // Ctrl-C: the terminal signals the whole foreground group.
    process.kill(-child.pid!, "SIGINT");
    const answering = async () => {
      const open = await Promise.all(
        [hubspot, salesforce, worker].map((port) =>
          fetch(`http://127.0.0.1:${port}/`).then(
            () => port,
            () => null,
          ),
        ),
      );
      return open.filter((p) => p !== null);
    };
    const stopBy = Date.now() + 20_000;
    while ((await answering()).length && Date.now() < stopBy)
      await new Promise((r) => setTimeout(r, 250));
    expect(await answering()).toEqual([]);
    expect(out).toContain("[leadbridge] stopping");
    // No workerd of this stack is left behind.
    const { execSync } = await import("node:child_process");
    expect(execSync("ps -eo args").toString()).not.toContain(`--port ${worker}`);
  }, 200_000);
});
