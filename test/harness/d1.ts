import { execFile } from "node:child_process";
import path from "node:path";

const WRANGLER = path.resolve("node_modules/.bin/wrangler");

/**
 * Reads the local D1 of a running `wrangler dev` (same --persist-to folder) with
 * `wrangler d1 execute --local`: the Worker keeps no read route for benchmarks.
 */
export async function queryD1<T = Record<string, unknown>>(
  stateDir: string,
  sql: string,
): Promise<T[]> {
  return retryBusy(() => execute<T>(stateDir, ["--command", sql]));
}

/** Runs a SQL file (many statements) against the same local D1; bench seeding writes through it. */
export async function executeD1File(stateDir: string, file: string): Promise<void> {
  await retryBusy(() => execute(stateDir, ["--file", file, "--yes"]));
}

async function retryBusy<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      // The Worker holds the file; a busy database clears in moments.
      if (attempt >= 10 || !String(err).includes("SQLITE_BUSY")) throw err;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

function execute<T>(stateDir: string, what: string[]): Promise<T[]> {
  return new Promise((resolve, reject) => {
    execFile(
      WRANGLER,
      ["d1", "execute", "DB", "--local", "--persist-to", stateDir, "--json", ...what],
      { env: { ...process.env, WRANGLER_SEND_METRICS: "false" }, maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err)
          return reject(
            new Error(
              `wrangler d1 execute failed: ${stderr || err.message} ${stdout.slice(0, 500)}`,
            ),
          );
        try {
          const [first] = JSON.parse(stdout) as { results: T[] }[];
          resolve(first?.results ?? []);
        } catch {
          reject(new Error(`wrangler d1 execute printed no JSON: ${stdout.slice(0, 300)}`));
        }
      },
    );
  });
}
