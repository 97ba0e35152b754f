// The local product as one object: both sandboxes, migrated local D1, the Worker in wrangler dev.
// Used by `npm start`, the benchmarks and the end-to-end tests.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { promisify } from "node:util";
import { Client } from "@hubspot/api-client";
import { setupHubSpot } from "../cli/setup-hubspot";
import {
  type HubSpotSandbox,
  type HubSpotSandboxOptions,
  startHubSpotSandbox,
} from "../sandbox/hubspot/server";
import { startSalesforceSandbox } from "../sandbox/salesforce/server";
import { demoRowsSql } from "./demo-rows";
import { snapshotWorkerSources } from "./snapshot";
import { subscribeSandbox } from "./subscribe";

export interface StackOptions {
  host?: string;
  hubspotPort?: number;
  salesforcePort?: number;
  workerPort?: number;
  seed?: boolean;
  /**
   * Write the demo's collateral assets and reps' quotas (dev/demo-rows.ts) into the Worker's D1,
   * so the report has content usage and quota attainment. Default: with `seed`.
   */
  demoRows?: boolean;
  /** Keep D1/KV/Queues state in a fresh temporary folder instead of .wrangler/state. */
  isolatedState?: boolean;
  /**
   * Extra `--var NAME:VALUE` for the Worker; a function is called just before wrangler dev starts
   * (a value that depends on when the Worker starts, e.g. a D1 outage window).
   */
  vars?: Record<string, string> | (() => Record<string, string>);
  hubspot?: Partial<HubSpotSandboxOptions>;
  /**
   * Run wrangler from a copy of the Worker's sources, so edits to the tree do not reload it
   * (benchmarks).
   */
  snapshot?: boolean;
  /** Where wrangler's output goes: inherit (npm start) or ignore. */
  workerOutput?: "inherit" | "ignore" | number;
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
  /**
   * How long wrangler dev and its workerd get to exit after SIGTERM before their process group is
   * killed (SIGKILL), and the sandboxes to close. Default 10 s.
   */
  stopGraceMs?: number;
  /** Aborts a start: what it started is stopped, then startStack rejects with StartAborted. */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface Stack {
  hubspotUrl: string;
  salesforceUrl: string;
  workerUrl: string;
  webhookUrl: string;
  /**
   * The `--persist-to` folder with isolatedState (for `wrangler d1 execute --local --persist-to`);
   * wrangler's debug logs go in its `wrangler-logs`.
   */
  stateDir?: string;
  /** The in-process sandbox HubSpot, for benchmarks that watch its state without API calls. */
  hubspot: HubSpotSandbox;
  worker: ChildProcess;
  /**
   * Stops the Worker (SIGTERM to wrangler's process group, SIGKILL after the grace period) and the
   * sandboxes, and resolves once nothing of the stack is left. Calling it again returns the same
   * promise.
   */
  stop(): Promise<StopReport>;
}

export interface StopReport {
  /** The parts that did not stop within the grace period and had to be killed (empty: none). */
  killed: string[];
}

/** startStack's rejection when its `signal` aborted the start; what it had started is stopped. */
export class StartAborted extends Error {
  constructor(readonly stopped: StopReport) {
    super("start aborted");
  }
}

export const DEFAULT_STOP_GRACE_MS = 10_000;
/** What StopReport.killed names when wrangler dev (or its workerd) had to be killed. */
export const WORKER_PART = "wrangler dev (and its workerd)";
/** What StopReport.killed names when the in-process sandboxes did not close in the grace period. */
export const SANDBOXES_PART = "the sandboxes (left to the process's exit)";

/**
 * What VSCODE_INSPECTOR_OPTIONS holds when the stack turned DevTools off (see
 * StackOptions.devtools).
 */
const NO_DEVTOOLS = "leadbridge:no-devtools";

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const host = opts.host ?? "127.0.0.1";
  const log = opts.log ?? (() => {});
  const grace = opts.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
  const aborted = opts.signal ?? new AbortController().signal;
  const devVars = ensureDevVars();
  if (devVars.created) log("created .dev.vars from .dev.vars.example (sandbox secrets)");
  else if (devVars.added.length)
    log(`added ${devVars.added.join(", ")} to .dev.vars from .dev.vars.example`);
  // A portal where Leadbridge's properties do not exist yet: the stack sets them up below the way
  // an admin does after a deploy (npm run setup:hubspot), so every start exercises the command.
  const hubspot = await startHubSpotSandbox({
    port: opts.hubspotPort ?? 0,
    host,
    seed: opts.seed ?? false,
    leadbridgeProperties: false,
    // The Worker's D1 outlives the in-memory sandbox unless the state is isolated: record ids from
    // the clock (ms) keep today's new contacts from reusing the ids of an earlier run's.
    ...(opts.isolatedState ? {} : { firstRecordId: Date.now() }),
    ...opts.hubspot,
  });
  const salesforce = await startSalesforceSandbox({
    port: opts.salesforcePort ?? 0,
    host,
    seed: opts.seed ?? false,
  });
  /** Closes both; one that has not closed within the grace period is reported, not waited for. */
  const closeSandboxes = async (): Promise<StopReport> => {
    const timeout = new AbortController();
    const closed = Promise.allSettled([hubspot.close(), salesforce.close()]).then(() => true);
    const late = delay(grace, false, { signal: timeout.signal }).catch(() => false);
    const inTime = await Promise.race([closed, late]);
    timeout.abort();
    return { killed: inTime ? [] : [SANDBOXES_PART] };
  };

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
  try {
    const migrate = promisify(execFile)(
      "npx",
      ["wrangler", "d1", "migrations", "apply", "DB", "--local", ...persist],
      { env, cwd, signal: aborted, maxBuffer: 16 * 1024 * 1024 },
    );
    migrate.child.stdin?.end(); // nothing to answer: no prompt waits on it
    await migrate;
    if (opts.demoRows ?? opts.seed) {
      const file = path.join(mkdtempSync(path.join(tmpdir(), "leadbridge-demo-rows-")), "rows.sql");
      writeFileSync(file, demoRowsSql().join("\n"));
      const rows = promisify(execFile)(
        "npx",
        ["wrangler", "d1", "execute", "DB", "--local", "--file", file, "--yes", ...persist],
        { env, cwd, signal: aborted, maxBuffer: 16 * 1024 * 1024 },
      );
      rows.child.stdin?.end();
      await rows;
      log("local D1: the demo's collateral assets and reps' quotas (dev/demo-rows.ts)");
    }
  } catch (err) {
    const stopped = await closeSandboxes();
    if (aborted.aborted) throw new StartAborted(stopped);
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`D1 migrations or demo rows failed:\n${stdout ?? ""}\n${stderr ?? err}`);
  }
  if (aborted.aborted) throw new StartAborted(await closeSandboxes());

  const workerPort = opts.workerPort ?? (await freePort(host));
  const vars = {
    HUBSPOT_BASE_URL: hubspot.url,
    SALESFORCE_LOGIN_URL: salesforce.url,
    ...(typeof opts.vars === "function" ? opts.vars() : opts.vars),
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
  let stopping: Promise<StopReport> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const killed: string[] = [];
      if ((await stopProcessGroup(worker, grace)) === "killed") killed.push(WORKER_PART);
      killed.push(...(await closeSandboxes()).killed);
      return { killed };
    })();
    return stopping;
  };
  try {
    const setup = await setupHubSpot(
      new Client({ accessToken: "sandbox-hubspot-token", basePath: hubspot.url }),
      () => {},
    );
    log(
      `sandbox HubSpot: setup:hubspot created ${setup.created.length} leadbridge_* properties${setup.groupCreated ? " and their group" : ""}`,
    );
    await waitForHealth(workerUrl, worker, aborted);
    const webhookUrl = `${workerUrl}/webhooks/hubspot`;
    // Exactly the subscriptions the rules in force need, through HubSpot's webhooks API.
    const subscribed = await subscribeSandbox(hubspot, workerUrl, webhookUrl, log);
    log(`sandbox HubSpot: subscribed to ${subscribed.length} webhook event types and properties`);
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
    const stopped = await stop();
    if (aborted.aborted) throw new StartAborted(stopped);
    throw err;
  }
}

/** Lines `NAME=value` of a .dev.vars-style file, by name (comments and blank lines skipped). */
function devVarEntries(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
    if (match && !entries.has(match[1]!)) entries.set(match[1]!, line.trim());
  }
  return entries;
}

/**
 * Makes `dir`/.dev.vars hold every key of .dev.vars.example: copies the example when the file is
 * missing, and appends the keys an older .dev.vars lacks (a developer's own values stay).
 */
export function ensureDevVars(dir = process.cwd()): { created: boolean; added: string[] } {
  const target = path.join(dir, ".dev.vars");
  const example = path.join(dir, ".dev.vars.example");
  if (!existsSync(target)) {
    copyFileSync(example, target);
    return { created: true, added: [] };
  }
  const have = devVarEntries(readFileSync(target, "utf8"));
  const missing = [...devVarEntries(readFileSync(example, "utf8"))].filter(([k]) => !have.has(k));
  if (missing.length) {
    const current = readFileSync(target, "utf8");
    appendFileSync(
      target,
      `${current === "" || current.endsWith("\n") ? "" : "\n"}# Added from .dev.vars.example by npm start\n${missing.map(([, line]) => line).join("\n")}\n`,
    );
  }
  return { created: false, added: missing.map(([k]) => k) };
}

async function waitForHealth(
  url: string,
  worker: ChildProcess,
  aborted: AbortSignal,
  timeoutMs = 120_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (aborted.aborted) throw new Error("aborted");
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

/**
 * Stops a child spawned `detached` (the leader of its own process group: npx, wrangler's node,
 * workerd) and everything it started: SIGTERM to the group, then waits until no process of the
 * group is left; if one still is after `graceMs`, SIGKILL to the group and waits again.
 */
export async function stopProcessGroup(
  child: ChildProcess,
  graceMs: number,
): Promise<"exited" | "killed"> {
  const pgid = child.pid;
  if (pgid === undefined || !groupAlive(pgid)) return "exited";
  signalGroup(pgid, "SIGTERM");
  if (await groupGone(child, pgid, graceMs)) return "exited";
  signalGroup(pgid, "SIGKILL");
  if (await groupGone(child, pgid, 10_000)) return "killed";
  throw new Error(`process group ${pgid} still has processes 10 s after SIGKILL`);
}

/** Waits for the leader's exit (an event), then for the rest of its group; false on timeout. */
async function groupGone(child: ChildProcess, pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  if (child.exitCode === null && child.signalCode === null) {
    const timeout = new AbortController();
    const exited = await Promise.race([
      once(child, "exit").then(() => true),
      delay(ms, false, { signal: timeout.signal }).catch(() => false),
    ]);
    timeout.abort();
    if (!exited) return false;
  }
  // wrangler's node and workerd are not our children: no exit event to wait on, so poll the group.
  while (groupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await delay(25);
  }
  return true;
}

/** Whether any live process (zombies awaiting their reaper do not count) is in the group. */
export function groupAlive(pgid: number): boolean {
  if (process.platform !== "linux") {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === "EPERM";
    }
  }
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp …": comm may hold spaces and ")", so read after the last ")".
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z" && state !== "X") return true;
  }
  return false;
}

function signalGroup(pgid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}
