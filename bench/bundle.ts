import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";

export interface BundleFigures {
  rawBytes: number;
  gzipBytes: number;
}

/** What `wrangler deploy --dry-run` would upload: every module but source maps, raw and gzipped. */
export async function measureBundle(): Promise<BundleFigures & { modules: number }> {
  const outdir = mkdtempSync(path.join(tmpdir(), "leadbridge-bundle-"));
  try {
    await new Promise<void>((resolve, reject) =>
      execFile(
        path.resolve("node_modules/.bin/wrangler"),
        ["deploy", "--dry-run", "--outdir", outdir],
        { env: { ...process.env, WRANGLER_SEND_METRICS: "false" }, maxBuffer: 64 * 1024 * 1024 },
        (err, _stdout, stderr) =>
          err
            ? reject(new Error(`wrangler deploy --dry-run failed: ${stderr || err.message}`))
            : resolve(),
      ),
    );
    const modules = readdirSync(outdir).filter((f) => !f.endsWith(".map") && f !== "README.md");
    let rawBytes = 0;
    let gzipBytes = 0;
    for (const file of modules) {
      const bytes = readFileSync(path.join(outdir, file));
      rawBytes += bytes.length;
      gzipBytes += gzipSync(bytes, { level: 9 }).length;
    }
    return { rawBytes, gzipBytes, modules: modules.length };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
