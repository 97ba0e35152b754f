import { startSalesforceSandbox } from "./server";

// Standalone: `npx tsx sandbox/salesforce/main.ts` (port from SALESFORCE_SANDBOX_PORT, default
// 4020).

const port = Number(process.env.SALESFORCE_SANDBOX_PORT ?? 4020);
const host = process.env.SALESFORCE_SANDBOX_HOST ?? "127.0.0.1";
const sandbox = await startSalesforceSandbox({ port, host });
console.log(JSON.stringify({ event: "salesforce_sandbox_listening", url: sandbox.url }));
console.log(`Sandbox Salesforce listening on ${sandbox.url}`);

const stop = () => {
  void sandbox.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
