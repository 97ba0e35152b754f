// `npm run chaos [-- --leads 10000]`: the fault run; prints one summary line.
import { parseArgs } from "node:util";
import { summaryLine } from "./account";
import { runChaos } from "./run";

const { values } = parseArgs({
  options: {
    leads: { type: "string", default: "10000" },
    verbose: { type: "boolean", default: false },
    "worker-output": { type: "boolean", default: false },
  },
});

const result = await runChaos({
  leads: Number(values.leads),
  log: values.verbose ? (l) => console.error(l) : undefined,
  workerOutput: values["worker-output"] ? "inherit" : "ignore",
});
console.log(summaryLine(result, result.seconds));
if (!result.settled)
  console.log(
    "chaos: gave up waiting: some leads never settled (counted as lost or missing feedback above)",
  );
for (const [kind, ids] of Object.entries(result.examples))
  if (ids.length) console.log(`chaos: ${kind} e.g. contacts ${ids.join(", ")}`);
process.exit(result.lost || result.duplicates || result.missingFeedback ? 1 : 0);
