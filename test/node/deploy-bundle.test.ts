import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// What `wrangler deploy` would upload, built without an account (`--dry-run --outdir`): the
// packages only the sandboxes use are devDependencies and none of their code reaches the Worker.
const root = new URL("../../", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Packages only the sandboxes (or tests) use, each with string literals from its own code. */
const SANDBOX_ONLY = {
  "soql-parser-js": {
    file: "node_modules/soql-parser-js/dist/index.js",
    // SOQL token names of its lexer; the bundled jsforce only builds SOQL strings.
    markers: ["DECIMAL_WITH_CURRENCY_PREFIX", "FieldsFunctionParamIdentifier"],
  },
  "@hono/node-server": {
    file: "node_modules/@hono/node-server/dist/index.mjs",
    markers: ["bodyBufferedBeforeDisconnect", "Client connection prematurely closed."],
  },
} as const;
// soql-parser-js's parser library, which nothing else pulls in.
const TRANSITIVE = ["chevrotain", "@chevrotain/"];

let outdir: string;
let bundle: string;
let sources: string[];

beforeAll(async () => {
  outdir = mkdtempSync(path.join(tmpdir(), "leadbridge-bundle-"));
  await promisify(execFile)("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outdir], {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    maxBuffer: 16 * 1024 * 1024,
  });
  bundle = readFileSync(path.join(outdir, "index.js"), "utf8");
  // wrangler.toml uploads source maps: the map names every module esbuild put in the bundle.
  const map = JSON.parse(readFileSync(path.join(outdir, "index.js.map"), "utf8"));
  sources = (map.sources as string[]).map((s) => s.replaceAll("\\", "/"));
}, 120_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe("the deploy bundle", () => {
  it("lists the sandbox-only packages as devDependencies, not dependencies", () => {
    for (const name of Object.keys(SANDBOX_ONLY)) {
      expect(pkg.dependencies, name).not.toHaveProperty([name]);
      expect(pkg.devDependencies, name).toHaveProperty([name]);
    }
  });

  it("is the Worker, with its own dependencies in it (the checks below can bite)", () => {
    expect(bundle).toContain("HubSpot_Contact_Id__c");
    expect(sources.some((s) => s.endsWith("workers/index.ts"))).toBe(true);
    expect(sources.some((s) => s.includes("node_modules/hono/"))).toBe(true);
    expect(sources.some((s) => s.includes("node_modules/jsforce/"))).toBe(true);
    // Each marker is real code of its package, and a minified bundle keeps string literals.
    for (const { file, markers } of Object.values(SANDBOX_ONLY)) {
      expect(existsSync(path.join(root, file)), file).toBe(true);
      const code = readFileSync(path.join(root, file), "utf8");
      for (const marker of markers) expect(code, `${marker} in ${file}`).toContain(marker);
    }
  });

  it("contains no module and no code of soql-parser-js or @hono/node-server", () => {
    for (const [name, { markers }] of Object.entries(SANDBOX_ONLY)) {
      expect(
        sources.filter((s) => s.includes(`node_modules/${name}/`)),
        name,
      ).toEqual([]);
      for (const marker of markers)
        expect(bundle.includes(marker), `${name}: ${marker}`).toBe(false);
    }
    for (const name of TRANSITIVE)
      expect(sources.filter((s) => s.includes(`node_modules/${name}`))).toEqual([]);
  });

  it("carries package.json's version, not its scripts or dependency lists", () => {
    const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
    expect(bundle).toContain(JSON.stringify(pkg.version));
    expect(bundle).not.toContain(pkg.scripts.test);
    expect(bundle).not.toContain('"devDependencies"');
  });
});
