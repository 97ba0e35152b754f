import { cpSync, existsSync, mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";

// What `wrangler dev` needs to build and run the Worker; everything else stays behind.
const WORKER_SOURCES = [
  "workers",
  "shared",
  "migrations",
  "wrangler.toml",
  ".dev.vars",
  "package.json",
  "tsconfig.json",
  "worker-configuration.d.ts",
];

/**
 * Copies the Worker's sources into `dir` (node_modules linked) so a long run in `wrangler dev`
 * there is not reloaded, losing its in-memory queues, when someone edits the tree meanwhile.
 */
export function snapshotWorkerSources(dir: string, root = process.cwd()): string {
  mkdirSync(dir, { recursive: true });
  for (const entry of WORKER_SOURCES) {
    if (existsSync(path.join(root, entry)))
      cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
  }
  symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}
