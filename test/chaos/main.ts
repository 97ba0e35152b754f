// `npm run chaos [-- --leads 10000]`: the fault run; prints one summary line.
// `npm run chaos -- --outage [--phase-minutes 10] [--d1-seconds 60] [--leads 1000]`: the outage
// run (test/chaos/outage.ts); prints one summary line.
import { parseArgs } from "node:util";
import { summaryLine } from "./account";
import { outageLine, runOutage } from "./outage";
import { runChaos } from "./run";

const { values } = parseArgs({
  options: {
    leads: { type: "string" },
    outage: { type: "boolean", default: false },
    "phase-minutes": { type: "string", default: "10" },
    "d1-seconds": { type: "string", default: "60" },
    verbose: { type: "boolean", default: false },
    "worker-output": { type: "boolean", default: false },
  },
});
const log = values.verbose ? (l: string) => console.error(l) : undefined;
const workerOutput = values["worker-output"] ? "inherit" : "ignore";

const result = values.outage
  ? await runOutage({
      leads: Number(values.leads ?? "1000"),
      phaseMs: Number(values["phase-minutes"]) * 60_000,
      d1Ms: Number(values["d1-seconds"]) * 1000,
      log,
      workerOutput,
    })
  : await runChaos({ leads: Number(values.leads ?? "10000"), log, workerOutput });
console.log("phases" in result ? outageLine(result) : summaryLine(result, result.seconds));
if ("phases" in result)
  for (const phase of result.phases)
    console.log(`outage: ${phase.dependency} faults fired ${JSON.stringify(phase.faultHits)}`);
if (!result.settled)
  console.log(
    "chaos: gave up waiting: some leads never settled (counted as lost or missing feedback above)",
  );
for (const [kind, ids] of Object.entries(result.examples))
  if (ids.length) console.log(`chaos: ${kind} e.g. contacts ${ids.join(", ")}`);
// The outage run allows no dead letter either: nothing there is the contact's own fault.
const failed =
  result.lost ||
  result.duplicates ||
  result.missingFeedback ||
  ("phases" in result && result.deadLettered);
process.exit(failed ? 1 : 0);
