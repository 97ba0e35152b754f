import { execFile } from "node:child_process";
import path from "node:path";

const WRANGLER = path.resolve("node_modules/.bin/wrangler");

/** Runs the project's wrangler (no metrics sent); a failure is an error carrying its stderr. */
export function wrangler(args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(
      WRANGLER,
      args,
      { env: { ...process.env, WRANGLER_SEND_METRICS: "false" }, maxBuffer: 64 * 1024 * 1024 },
      (err, _stdout, stderr) =>
        err
          ? reject(
              new Error(`wrangler ${args.slice(0, 2).join(" ")} failed: ${stderr || err.message}`),
            )
          : resolve(),
    ),
  );
}
