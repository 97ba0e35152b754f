// `npx tsx bench/startup.ts [--runs N]`: the Worker's startup CPU as `wrangler check startup`
// profiles it (prints the figures; `npm run bench` records them).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parse } from "smol-toml";
import { percentile, round } from "./lib/stats";
import { wrangler } from "./lib/wrangler";

export interface StartupFigures {
  /** Median over the runs of the profiled startup's CPU time (samples not idle), ms. */
  cpuMs: number;
}

export interface StartupDetail extends StartupFigures {
  runs: { cpuMs: number; profileMs: number }[];
  /** The same for a Worker that does nothing, same compatibility date and flags, same run. */
  emptyWorker: { cpuMs: number; runs: { cpuMs: number; profileMs: number }[] };
}

/**
 * The deploy bundle is built once (`wrangler deploy --dry-run --outfile`) and its startup is
 * profiled `runs` times (`wrangler check startup --worker`), then a Worker that does nothing with
 * the same compatibility date and flags the same way: what workerd's startup costs on this machine
 * at the moment, whatever the Worker.
 */
export async function measureStartup(runs = 5): Promise<StartupDetail> {
  const dir = mkdtempSync(path.join(tmpdir(), "leadbridge-startup-"));
  try {
    const worker = await profileRuns(
      dir,
      "worker",
      ["--config", path.resolve("wrangler.toml")],
      runs,
    );
    const empty = await profileRuns(dir, "empty", ["--config", emptyWorker(dir)], runs);
    return {
      cpuMs: median(worker.map((r) => r.cpuMs)),
      runs: worker,
      emptyWorker: { cpuMs: median(empty.map((r) => r.cpuMs)), runs: empty },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function profileRuns(dir: string, name: string, config: string[], runs: number) {
  const bundle = path.join(dir, `${name}.bundle`);
  await wrangler(["deploy", "--dry-run", "--outfile", bundle, ...config]);
  const profiles = [];
  for (let i = 0; i < runs; i++) {
    const outfile = path.join(dir, `${name}-${i}.cpuprofile`);
    await wrangler(["check", "startup", "--worker", bundle, "--outfile", outfile, ...config]);
    profiles.push(startupCpu(JSON.parse(readFileSync(outfile, "utf8"))));
  }
  return profiles;
}

/** A Worker with the same compatibility date and flags that only answers 204. */
function emptyWorker(dir: string): string {
  const ours = parse(readFileSync("wrangler.toml", "utf8")) as {
    compatibility_date: string;
    compatibility_flags?: string[];
  };
  writeFileSync(
    path.join(dir, "empty.js"),
    "export default { fetch: () => new Response(null, { status: 204 }) };\n",
  );
  const config = path.join(dir, "empty.toml");
  writeFileSync(
    config,
    [
      'name = "empty"',
      'main = "empty.js"',
      `compatibility_date = "${ours.compatibility_date}"`,
      `compatibility_flags = ${JSON.stringify(ours.compatibility_flags ?? [])}`,
      "",
    ].join("\n"),
  );
  return config;
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string } }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * CPU time of a V8 profile: each sample lasts until the next one, and the samples V8 took while
 * the isolate was idle (waiting, not working) are left out. Script compile, module evaluation,
 * garbage collection and the runtime's own work all count.
 */
export function startupCpu(profile: CpuProfile): { cpuMs: number; profileMs: number } {
  const idle = new Set(
    profile.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id),
  );
  let busyUs = 0;
  for (let i = 0; i < profile.samples.length; i++)
    if (!idle.has(profile.samples[i]!)) busyUs += profile.timeDeltas[i + 1] ?? 0;
  return {
    cpuMs: round(busyUs / 1000, 1),
    profileMs: round((profile.endTime - profile.startTime) / 1000, 1),
  };
}

/** The middle run (nearest rank), as the other steps take their medians. */
const median = (values: number[]) => percentile(values, 50);

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const at = process.argv.indexOf("--runs");
  const detail = await measureStartup(at > 0 ? Number(process.argv[at + 1]) : 5);
  console.log(JSON.stringify(detail, null, 2));
}
