// `npm test` after lint and typecheck: the chaos project (test/chaos/, two runs of a whole stack
// that mostly wait on wall-clock outage phases) beside the node and workers projects, as two
// vitest processes; each lane's lines are prefixed with its name. Exits non-zero if either fails.
// `npx vitest run` still runs all three projects one after the other. A file filter
// (`npm test -- test/node/x.test.ts`) reaches both lanes, so a lane with no match passes.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

const lanes = [
  { name: "chaos", args: ["--project", "chaos", "--passWithNoTests"] },
  { name: "main", args: ["--project", "node", "--project", "workers", "--passWithNoTests"] },
];

const codes = await Promise.all(
  lanes.map(
    ({ name, args }) =>
      new Promise<number>((resolve) => {
        const child = spawn("npx", ["vitest", "run", ...args, ...process.argv.slice(2)], {
          env: { ...process.env, LEADBRIDGE_TEST_LANE: name },
          stdio: ["ignore", "pipe", "pipe"],
        });
        for (const [stream, out] of [
          [child.stdout, process.stdout],
          [child.stderr, process.stderr],
        ] as const)
          createInterface({ input: stream }).on("line", (line) => out.write(`[${name}] ${line}\n`));
        child.on("close", (code, signal) => {
          console.log(`[${name}] vitest exited with ${signal ?? code}`);
          resolve(code ?? 1);
        });
      }),
  ),
);
process.exit(codes.some((c) => c !== 0) ? 1 : 0);
