import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { wrangler } from "./lib/wrangler";

export interface BundleFigures {
  rawBytes: number;
  gzipBytes: number;
}

/** What `wrangler deploy --dry-run` would upload: every module but source maps, raw and gzipped. */
export async function measureBundle(): Promise<BundleFigures & { modules: number }> {
  const outdir = mkdtempSync(path.join(tmpdir(), "leadbridge-bundle-"));
  try {
    await wrangler(["deploy", "--dry-run", "--outdir", outdir]);
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
