// The local product as one object: both sandboxes, migrated local D1, the Worker in wrangler dev.
// Used by `npm start`, the benchmarks and the end-to-end tests.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type HubSpotSandbox,
  type HubSpotSandboxOptions,
  startHubSpotSandbox,
} from "../sandbox/hubspot/server";
import { startSalesforceSandbox } from "../sandbox/salesforce/server";
import { SUBSCRIBED_PROPERTIES } from "../workers/handoff/mql";
import { snapshotWorkerSources } from "./snapshot";

export interface StackOptions {
  host?: string;
  hubspotPort?: number;
  salesforcePort?: number;
  workerPort?: number;
  seed?: boolean;
  /** Keep D1/KV/Queues state in a fresh temporary folder instead of .wrangler/state. */
  isolatedState?: boolean;
  /** Extra `--var NAME:VALUE` for the Worker. */
  vars?: Record<string, string>;
  hubspot?: Partial<HubSpotSandboxOptions>;
  /** Run wrangler from a copy of the Worker's sources, so edits to the tree do not reload it (benchmarks). */
  snapshot?: boolean;
  /** Where wrangler's output goes: inherit (npm start) or ignore. */
  workerOutput?: "inherit" | "ignore";
  /**
   * Keep wrangler's DevTools inspector (chrome://inspect). Off by default: without a DevTools
   * window attached it still subscribes to the Worker's network events, and wrangler's Node
   * process formats all four events of every subrequest into its debug log (~/.wrangler/logs or
   * XDG's .config/.wrangler/logs) and buffers them for a window that never comes. Under load that
   * was a quarter of a core on a two-core machine, and it slowed the Worker's own answers.
   */
  devtools?: boolean;
  /** With devtools: the inspector's port (wrangler's default: 9229, or any free one if taken). */
  inspectorPort?: number;
  log?: (line: string) => void;
}

export interface Stack {
  hubspotUrl: string;
  salesforceUrl: string;
  workerUrl: string;
  webhookUrl: string;
  /** The `--persist-to` folder with isolatedState (for `wrangler d1 execute --local --persist-to`); wrangler's debug logs go in its `wrangler-logs`. */
  stateDir?: string;
  /** The in-process sandbox HubSpot, for benchmarks that watch its state without API calls. */
  hubspot: HubSpotSandbox;
  worker: ChildProcess;
  stop(): Promise<void>;
}

/** What VSCODE_INSPECTOR_OPTIONS holds when the stack turned DevTools off (see StackOptions.devtools). */
const NO_DEVTOOLS = "leadbridge:no-devtools";

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const host = opts.host ?? "127.0.0.1";
  const log = opts.log ?? (() => {});
  if (!existsSync(".dev.vars")) {
    copyFileSync(".dev.vars.example", ".dev.vars");
    log("created .dev.vars from .dev.vars.example (sandbox secrets)");
  }
  const hubspot = await startHubSpotSandbox({
    port: opts.hubspotPort ?? 0,
    host,
    seed: opts.seed ?? false,
    ...opts.hubspot,
  });
  const salesforce = await startSalesforceSandbox({
    port: opts.salesforcePort ?? 0,
    host,
    seed: opts.seed ?? false,
  });
  const closeSandboxes = () =>
    Promise.allSettled([hubspot.close(), salesforce.close()]).then(() => {});

  const stateDir = opts.isolatedState ? mkdtempSync(path.join(tmpdir(), "leadbridge-")) : undefined;
  const persist = stateDir ? ["--persist-to", stateDir] : [];
  const cwd = opts.snapshot
    ? snapshotWorkerSources(mkdtempSync(path.join(tmpdir(), "leadbridge-src-")))
    : process.cwd();
  // No account, no internet needed: skip wrangler metrics and the Request.cf download.
  const env: NodeJS.ProcessEnv = {
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    ...process.env,
  };
  // wrangler dev has no flag for it: it leaves its inspector proxy out when it believes a VS Code
  // JavaScript Debug Terminal attaches to workerd instead (the variable set; without that
  // terminal's NODE_OPTIONS bootloader nothing attaches). A real debug terminal's value is kept.
  if (!opts.devtools && !env.VSCODE_INSPECTOR_OPTIONS) env.VSCODE_INSPECTOR_OPTIONS = NO_DEVTOOLS;
  // wrangler's own debug log (every line it prints, and more) stays with an isolated stack's state.
  if (stateDir && !env.WRANGLER_LOG_PATH)
    env.WRANGLER_LOG_PATH = path.join(stateDir, "wrangler-logs");
  const migrate = spawnSync(
    "npx",
    ["wrangler", "d1", "migrations", "apply", "DB", "--local", ...persist],
    { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", env, cwd },
  );
  if (migrate.status !== 0) {
    await closeSandboxes();
    throw new Error(`D1 migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);
  }

  const workerPort = opts.workerPort ?? (await freePort(host));
  const vars = {
    HUBSPOT_BASE_URL: hubspot.url,
    SALESFORCE_LOGIN_URL: salesforce.url,
    ...opts.vars,
  };
  const worker = spawn(
    "npx",
    [
      "wrangler",
      "dev",
      "--ip",
      host,
      "--port",
      String(workerPort),
      "--test-scheduled",
      "--show-interactive-dev-session=false",
      ...persist,
      ...(opts.devtools && opts.inspectorPort
        ? ["--inspector-port", String(opts.inspectorPort)]
        : []),
      ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ],
    {
      stdio: ["ignore", opts.workerOutput ?? "ignore", opts.workerOutput ?? "ignore"],
      detached: true,
      env,
      cwd,
    },
  );
  const workerUrl = `http://${host}:${workerPort}`;
  const stop = async () => {
    await stopGroup(worker);
    await closeSandboxes();
  };
  try {
    await waitForHealth(workerUrl, worker);
    const webhookUrl = `${workerUrl}/webhooks/hubspot`;
    const res = await fetch(`${hubspot.url}/__sandbox/webhooks/subscription`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      // Changes to every property a judgement reads, as the README tells a real app to subscribe.
      body: JSON.stringify({ targetUrl: webhookUrl, propertyNames: [...SUBSCRIBED_PROPERTIES] }),
    });
    if (!res.ok)
      throw new Error(`could not subscribe the sandbox HubSpot: ${res.status} ${await res.text()}`);
    return {
      hubspotUrl: hubspot.url,
      salesforceUrl: salesforce.url,
      workerUrl,
      webhookUrl,
      stateDir,
      hubspot,
      worker,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitForHealth(url: string, worker: ChildProcess, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (worker.exitCode !== null)
      throw new Error(`wrangler dev exited with code ${worker.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the Worker did not become healthy at ${url}/health within ${timeoutMs / 1000}s`);
}

async function freePort(host: string): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** SIGTERM to wrangler and its workerd, then waits for them (SIGKILL after 10 s). */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  killGroup(child);
  const timer = setTimeout(() => killGroup(child, "SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM") {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
