// `npm start`: both sandboxes, migrated local D1, the Worker in wrangler dev, webhooks wired.
import { startStack } from "./stack";

const say = (line: string) => console.log(`[leadbridge] ${line}`);

async function main() {
  const devtools = process.env.LEADBRIDGE_DEVTOOLS === "1";
  const inspectorPort = Number(process.env.INSPECTOR_PORT ?? 9229);
  say("starting sandbox HubSpot, sandbox Salesforce, local D1 and the Worker (wrangler dev)");
  const stack = await startStack({
    hubspotPort: Number(process.env.HUBSPOT_SANDBOX_PORT ?? 4010),
    salesforcePort: Number(process.env.SALESFORCE_SANDBOX_PORT ?? 4020),
    workerPort: Number(process.env.WORKER_PORT ?? 8787),
    seed: true,
    workerOutput: "inherit",
    devtools,
    inspectorPort,
    log: say,
  });

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say("stopping");
    await stack.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  stack.worker.on("exit", (code) => {
    if (!stopping) say(`wrangler dev exited (${code}); stopping the sandboxes too`);
    void stop(code ?? 1);
  });

  const w = stack.workerUrl;
  say("");
  say(`sandbox HubSpot    ${stack.hubspotUrl}  (token sandbox-hubspot-token, portal 62515)`);
  say(
    `sandbox Salesforce ${stack.salesforceUrl}  (client sandbox-sf-client-id / sandbox-sf-client-secret)`,
  );
  say(`Worker             ${w}  (health: ${w}/health)`);
  say(`Webhook            ${stack.webhookUrl}  (sandbox HubSpot delivers here, signed v3)`);
  say(`Admin              ${w}/admin/  (Authorization: Bearer sandbox-admin-token)`);
  say(`Nightly cron       curl "${w}/__scheduled?cron=15+2+*+*+*"`);
  say(
    `Sandbox controls   ${stack.hubspotUrl}/__sandbox/counts  ${stack.salesforceUrl}/__sandbox/counts`,
  );
  say(
    devtools
      ? `DevTools           chrome://inspect, then Configure… localhost:${inspectorPort} (wrangler's inspector)`
      : "DevTools           off (LEADBRIDGE_DEVTOOLS=1 npm start keeps wrangler's inspector for chrome://inspect)",
  );
  say("Next: in another terminal, `npm run demo`. Ctrl-C stops everything.");
}

main().catch((err) => {
  console.error(`[leadbridge] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
