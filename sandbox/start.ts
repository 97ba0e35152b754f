// `npm start`: both sandboxes, migrated local D1, the Worker in wrangler dev, webhooks wired.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import { startHubSpotSandbox } from "./hubspot/server";
import { startSalesforceSandbox } from "./salesforce/server";

const host = "127.0.0.1";
const ports = {
  hubspot: Number(process.env.HUBSPOT_SANDBOX_PORT ?? 4010),
  salesforce: Number(process.env.SALESFORCE_SANDBOX_PORT ?? 4020),
  worker: Number(process.env.WORKER_PORT ?? 8787),
};
const say = (line: string) => console.log(`[leadbridge] ${line}`);

async function main() {
  if (!existsSync(".dev.vars")) {
    copyFileSync(".dev.vars.example", ".dev.vars");
    say("created .dev.vars from .dev.vars.example (sandbox secrets)");
  }

  const hubspot = await startHubSpotSandbox({ port: ports.hubspot, host, seed: true });
  say(`sandbox HubSpot    ${hubspot.url}  (token sandbox-hubspot-token, portal 62515)`);
  const salesforce = await startSalesforceSandbox({ port: ports.salesforce, host, seed: true });
  say(`sandbox Salesforce ${salesforce.url}  (client sandbox-sf-client-id / sandbox-sf-client-secret)`);

  say("applying D1 migrations to the local database");
  const migrate = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local"], { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  if (migrate.status !== 0) throw new Error(`D1 migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);

  const worker = spawn(
    "npx",
    [
      "wrangler", "dev", "--ip", host, "--port", String(ports.worker), "--test-scheduled",
      "--show-interactive-dev-session=false",
      "--var", `HUBSPOT_BASE_URL:${hubspot.url}`,
      "--var", `SALESFORCE_LOGIN_URL:${salesforce.url}`,
    ],
    { stdio: ["ignore", "inherit", "inherit"], detached: true },
  );
  const workerUrl = `http://${host}:${ports.worker}`;

  let stopping = false;
  const stop = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    say("stopping");
    killGroup(worker);
    await Promise.allSettled([hubspot.close(), salesforce.close()]);
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  worker.on("exit", (code) => {
    if (!stopping) {
      say(`wrangler dev exited (${code}); stopping the sandboxes too`);
      void stop(code ?? 1);
    }
  });

  await waitForHealth(workerUrl);
  const webhookUrl = `${workerUrl}/webhooks/hubspot`;
  const subscribed = await fetch(`${hubspot.url}/__sandbox/webhooks/subscription`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ targetUrl: webhookUrl }),
  });
  if (!subscribed.ok) throw new Error(`could not subscribe the sandbox HubSpot: ${subscribed.status} ${await subscribed.text()}`);

  say("");
  say(`Worker             ${workerUrl}  (health: ${workerUrl}/health)`);
  say(`Webhook            ${webhookUrl}  (sandbox HubSpot delivers here, signed v3)`);
  say(`Admin              ${workerUrl}/admin/  (Authorization: Bearer sandbox-admin-token)`);
  say(`Nightly cron       curl "${workerUrl}/__scheduled?cron=15+2+*+*+*"`);
  say(`Sandbox controls   ${hubspot.url}/__sandbox/counts  ${salesforce.url}/__sandbox/counts`);
  say("Next: in another terminal, `npm run demo`. Ctrl-C stops everything.");
}

async function waitForHealth(url: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the Worker did not become healthy at ${url}/health within ${timeoutMs / 1000}s`);
}

function killGroup(child: ChildProcess) {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    child.kill("SIGTERM");
  }
}

main().catch((err) => {
  console.error(`[leadbridge] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
