// `npm start`: both sandboxes, migrated local D1, the Worker in wrangler dev, webhooks wired.
// Ctrl-C (or SIGTERM) stops all three and exits once each has: wrangler dev and its workerd get
// SIGTERM, then SIGKILL after LEADBRIDGE_STOP_GRACE_MS (10 s); exit code 0, or 1 when a part had
// to be killed (named in the output). npm waits for it on Ctrl-C, then ends by that SIGINT itself.
import { DEFAULT_STOP_GRACE_MS, StartAborted, type StopReport, startStack } from "./stack";

const say = (line: string) => console.log(`[leadbridge] ${line}`);
const grace = Number(process.env.LEADBRIDGE_STOP_GRACE_MS ?? DEFAULT_STOP_GRACE_MS);
const starting = new AbortController();
let stop: ((code: number) => Promise<void>) | undefined;
let stopRequested = false;

const onSignal = (signal: NodeJS.Signals) => {
  if (stop) return void stop(0);
  if (stopRequested) return say(`${signal}: still stopping`);
  stopRequested = true;
  say("stopping (while starting)");
  starting.abort(); // startStack stops what it started, then rejects with StartAborted
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

/** Exits with `code`, or 1 if it was 0 and a part had to be killed. */
function exitAfter({ killed }: StopReport, code: number): never {
  for (const part of killed)
    say(`${part} did not stop within ${grace / 1000} s of SIGTERM and was killed (SIGKILL)`);
  const exitCode = killed.length && !code ? 1 : code;
  say(`stopped, exit code ${exitCode}`);
  process.exit(exitCode);
}

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
    stopGraceMs: grace,
    signal: starting.signal,
    log: say,
  });

  // wrangler dev fires no Cron Triggers: the 5-minute one (the outcome sync) is fired here, so
  // sales' changes in the sandbox Salesforce reach the sandbox HubSpot as they would deployed.
  const outcomeCron = setInterval(
    () => void fetch(`${stack.workerUrl}/__scheduled?cron=*/5+*+*+*+*`).catch(() => {}),
    5 * 60_000,
  );
  let stopping = false;
  stop = async (code: number) => {
    if (stopping) return say("still stopping");
    stopping = true;
    clearInterval(outcomeCron);
    say("stopping");
    exitAfter(await stack.stop(), code);
  };
  stack.worker.on("exit", (code) => {
    if (stopping) return;
    say(`wrangler dev exited (${code}); stopping the sandboxes too`);
    void stop?.(code ?? 1);
  });
  if (stopRequested) return void stop(0);

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
    `Outcome sync       every 5 min, as in production; now: npm run admin -- outcomes run (or POST ${w}/admin/outcomes/run)`,
  );
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
  if (err instanceof StartAborted) exitAfter(err.stopped, 0);
  console.error(`[leadbridge] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
