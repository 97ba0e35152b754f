// Before a benchmark: is anything else of this kind running? A workerd or wrangler dev left over
// from another stack (a test run, npm start, an interrupted bench) takes CPU from the run being
// measured on a small machine, and its figures then say more about that than about the Worker.
import { execFileSync } from "node:child_process";

/** Command lines in `ps -eo pid=,args=` output that are a workerd, a wrangler dev or a sandbox. */
export function otherWorkloads(ps: string, ownPid = process.pid): string[] {
  return ps
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => {
      const [pid, ...args] = line.split(/\s+/);
      const command = args.join(" ");
      if (!pid || Number(pid) === ownPid) return false;
      return (
        /\bworkerd serve\b/.test(command) ||
        /wrangler(-dist\/cli\.js)? dev\b/.test(command) ||
        /(dev\/start|sandbox\/hubspot\/main|sandbox\/salesforce\/main)\.ts\b/.test(command)
      );
    });
}

/** What otherWorkloads finds among this machine's processes; nothing where `ps` is unavailable. */
export function runningWorkloads(): string[] {
  try {
    return otherWorkloads(execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" }));
  } catch {
    return [];
  }
}
