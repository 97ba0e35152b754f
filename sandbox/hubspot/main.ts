import { startHubSpotSandbox } from "./server";

// Standalone: `npx tsx sandbox/hubspot/main.ts`; HUBSPOT_WEBHOOK_URL subscribes a receiver.
const port = Number(process.env.HUBSPOT_SANDBOX_PORT ?? 4010);
const sandbox = await startHubSpotSandbox({
  port,
  seed: process.env.HUBSPOT_SANDBOX_SEED !== "false",
  webhookUrl: process.env.HUBSPOT_WEBHOOK_URL || undefined,
});
console.log(JSON.stringify({ event: "hubspot_sandbox_listening", url: sandbox.url }));
console.log(`HubSpot sandbox listening on ${sandbox.url}`);

const stop = async () => {
  await sandbox.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
