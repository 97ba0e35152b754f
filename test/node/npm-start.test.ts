import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

// `npm start` exactly as the README says (on free ports, through the env overrides it documents):
// all three parts answer with demo data seeded and webhooks wired, and Ctrl-C stops all three
// before `npm start` itself exits. What is left is read from the process table once it has exited.
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

interface Proc {
  pid: number;
  pgid: number;
  args: string;
}

/** Live processes (zombies are dead, awaiting their reaper) from `ps`. */
function processes(): Proc[] {
  return execFileSync("ps", ["-eo", "pid=,pgid=,stat=,args="], { encoding: "utf8" })
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && !m[3]!.startsWith("Z"))
    .map((m) => ({ pid: Number(m[1]), pgid: Number(m[2]), args: m[4]! }));
}

/** Processes of a stack: in one of its process groups, or naming one of its ports. */
function stackProcesses(ports: number[], pgids: number[]): Proc[] {
  const mentions = new RegExp(`(--port[ =]|:)(${ports.join("|")})\\b`);
  return processes().filter(
    (p) => p.pid !== process.pid && (pgids.includes(p.pgid) || mentions.test(p.args)),
  );
}

/** Ports of these that still accept a connection. */
async function answering(ports: number[]): Promise<number[]> {
  const open = await Promise.all(
    ports.map((port) =>
      fetch(`http://127.0.0.1:${port}/`).then(
        () => port,
        () => null,
      ),
    ),
  );
  return open.filter((p) => p !== null);
}

/** Rejects after `ms` with `what` (a bound on a wait, never a stand-in for the event). */
const within = <T>(ms: number, what: string, promise: Promise<T>) => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
};

interface NpmStart {
  child: ChildProcess;
  ports: { hubspot: number; salesforce: number; worker: number };
  output(): string;
  /** Resolves when the output contains `text`; rejects if npm start exits first. */
  printed(text: string): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: NpmStart[] = [];
const burners: ChildProcess[] = [];

async function npmStart(env: NodeJS.ProcessEnv = {}): Promise<NpmStart> {
  const ports = {
    hubspot: await freePort(),
    salesforce: await freePort(),
    worker: await freePort(),
  };
  // Its own process group, as a terminal's foreground job: Ctrl-C signals the whole group.
  const child = spawn("npm", ["start"], {
    env: {
      ...process.env,
      HUBSPOT_SANDBOX_PORT: String(ports.hubspot),
      SALESFORCE_SANDBOX_PORT: String(ports.salesforce),
      WORKER_PORT: String(ports.worker),
      ...env,
    },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exited = once(child, "exit").then(([code, signal]) => ({ code, signal }));
  const printed = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!out.includes(text)) return;
        child.stdout!.off("data", check);
        child.stderr!.off("data", check);
        resolve();
      };
      child.stdout!.on("data", check);
      child.stderr!.on("data", check);
      check();
      exited.then(() => reject(new Error(`npm start exited before printing "${text}":\n${out}`)));
    });
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const run = { child, ports, output: () => out, printed, exited };
  started.push(run);
  return run;
}

/** The process group of the process serving `--port <port>` (wrangler dev's, not npm start's). */
function groupServing(port: number): number {
  const serving = processes().filter((p) => new RegExp(`--port[ =]${port}\\b`).test(p.args));
  expect(serving.length, `a process with --port ${port}`).toBeGreaterThan(0);
  return serving[0]!.pgid;
}

/** Two busy loops (the machine's two cores) that end by themselves after `ms`. */
async function burnCpu(ms: number) {
  const loop = [
    'process.stdout.write("burning\\n");',
    `const end = Date.now() + ${ms};`,
    "while (Date.now() < end) {}",
  ].join(" ");
  for (let i = 0; i < 2; i++) {
    const burner = spawn(process.execPath, ["-e", loop], { stdio: ["ignore", "pipe", "ignore"] });
    burners.push(burner);
    await once(burner.stdout!, "data");
  }
}

afterEach(() => {
  for (const burner of burners.splice(0)) burner.kill("SIGKILL");
  for (const { child } of started.splice(0)) {
    try {
      if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

describe("npm start", () => {
  it("brings up sandbox HubSpot, sandbox Salesforce and the Worker, wired and seeded, and Ctrl-C under load stops all three before npm start exits", async () => {
    const run = await npmStart();
    const { hubspot, salesforce, worker } = run.ports;
    await within(150_000, "npm start ready", run.printed("Ctrl-C stops everything"));
    const out = run.output();
    for (const url of [
      `http://127.0.0.1:${hubspot}`,
      `http://127.0.0.1:${salesforce}`,
      `http://127.0.0.1:${worker}/health`,
      `http://127.0.0.1:${worker}/admin/`,
    ]) {
      expect(out).toContain(url);
    }

    const health = (await (await fetch(`http://127.0.0.1:${worker}/health`)).json()) as {
      ok: boolean;
    };
    expect(health.ok).toBe(true);
    const contacts = await fetch(`http://127.0.0.1:${hubspot}/crm/v3/objects/contacts?limit=5`, {
      headers: { authorization: "Bearer sandbox-hubspot-token" },
    });
    expect(((await contacts.json()) as { results: unknown[] }).results.length).toBeGreaterThan(0);
    const subscription = (await (
      await fetch(`http://127.0.0.1:${hubspot}/__sandbox/webhooks/subscription`)
    ).json()) as { targetUrl: string };
    expect(subscription.targetUrl).toBe(`http://127.0.0.1:${worker}/webhooks/hubspot`);
    const token = await fetch(`http://127.0.0.1:${salesforce}/services/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: "sandbox-sf-client-id",
        client_secret: "sandbox-sf-client-secret",
      }),
    });
    const { access_token, instance_url } = (await token.json()) as {
      access_token: string;
      instance_url: string;
    };
    const opps = await fetch(
      `${instance_url}/services/data/v62.0/query?q=${encodeURIComponent("SELECT Id FROM Opportunity")}`,
      { headers: { authorization: `Bearer ${access_token}` } },
    );
    expect(((await opps.json()) as { totalSize: number }).totalSize).toBeGreaterThan(0);

    // The stack's processes before the stop: npm start's group, and wrangler dev's own group
    // (npx, wrangler's node and workerd), which the scan must find for its later "none" to count.
    const ports = [hubspot, salesforce, worker];
    const wranglerGroup = groupServing(worker);
    expect(wranglerGroup).not.toBe(run.child.pid);
    const groups = [run.child.pid!, wranglerGroup];
    const before = stackProcesses(ports, groups);
    expect(before.some((p) => p.pgid === wranglerGroup && /\bworkerd\b/.test(p.args))).toBe(true);

    // Both cores busy while it stops, as when the rest of the suite runs beside it.
    await burnCpu(60_000);
    // Ctrl-C: the terminal signals the whole foreground group.
    process.kill(-run.child.pid!, "SIGINT");
    const { signal } = await within(60_000, "npm start exiting after Ctrl-C", run.exited);
    // Read right after npm start exited: nothing of the stack may still be there.
    expect(stackProcesses(ports, groups)).toEqual([]);
    expect(await answering(ports)).toEqual([]);
    const stopped = run.output();
    expect(stopped).toContain("[leadbridge] stopping");
    expect(stopped).not.toContain("was killed");
    // dev/start.ts stopped everything and chose 0; npm, which waited for it, then ends by the
    // SIGINT it got itself (as npm does after any Ctrl-C: 130 in a shell).
    expect(stopped).toContain("[leadbridge] stopped, exit code 0");
    expect(signal, stopped).toBe("SIGINT");
  }, 240_000);

  it("stops what it started when Ctrl-C comes while wrangler dev is still starting", async () => {
    const run = await npmStart();
    const { hubspot, salesforce, worker } = run.ports;
    // wrangler dev is up as a process but the Worker is not answering yet.
    await within(90_000, "wrangler dev starting", run.printed("Starting local server"));
    const ports = [hubspot, salesforce, worker];
    const groups = [run.child.pid!, groupServing(worker)];
    process.kill(-run.child.pid!, "SIGINT");
    const { signal } = await within(60_000, "npm start exiting after Ctrl-C", run.exited);
    expect(stackProcesses(ports, groups)).toEqual([]);
    expect(await answering(ports)).toEqual([]);
    const out = run.output();
    expect(out).toContain("[leadbridge] stopping (while starting)");
    expect(out).not.toContain("Ctrl-C stops everything");
    expect(out).toContain("[leadbridge] stopped, exit code 0");
    expect(signal, out).toBe("SIGINT");
  }, 180_000);

  it("kills a wrangler dev that ignores SIGTERM (and its workerd) after the grace period, names it and exits non-zero", async () => {
    // A stand-in for wrangler dev that answers /health but ignores SIGINT and SIGTERM, as does the
    // "workerd" it starts, reached through a fake `npx` first on PATH (stack.ts runs npx wrangler).
    const bin = mkdtempSync(path.join(tmpdir(), "leadbridge-stubborn-"));
    const realNpx = execFileSync("sh", ["-c", "command -v npx"], { encoding: "utf8" }).trim();
    writeFileSync(
      path.join(bin, "npx"),
      [
        "#!/bin/sh",
        `if [ "$1" = wrangler ] && [ "$2" = dev ]; then shift 2; exec "${process.execPath}" "${bin}/wrangler-dev.mjs" "$@"; fi`,
        // Migrations have nothing to do for a Worker that keeps no data.
        'if [ "$1" = wrangler ] && [ "$2" = d1 ]; then exit 0; fi',
        `exec "${realNpx}" "$@"`,
        "",
      ].join("\n"),
    );
    chmodSync(path.join(bin, "npx"), 0o755);
    writeFileSync(
      path.join(bin, "wrangler-dev.mjs"),
      `import { spawn } from "node:child_process";
import { createServer } from "node:http";
const arg = (name) => process.argv[process.argv.indexOf(name) + 1];
const port = Number(arg("--port"));
for (const signal of ["SIGINT", "SIGTERM"])
  process.on(signal, () => console.log("fake wrangler: ignoring " + signal));
const workerd = spawn(process.execPath, ["-e", \`
  for (const signal of ["SIGINT", "SIGTERM"])
    process.on(signal, () => console.log("fake workerd: ignoring " + signal));
  setInterval(() => {}, 1 << 30);
  console.log("ready");
\`, "workerd", "--socket-addr=entry=127.0.0.1:" + port], { stdio: ["ignore", "pipe", "inherit"] });
workerd.stdout.once("data", () => {
  workerd.stdout.pipe(process.stdout);
  createServer((req, res) => {
    res.writeHead(req.url === "/health" ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: req.url === "/health" }));
  }).listen(port, arg("--ip"));
});
`,
    );
    try {
      const grace = 2_000;
      const run = await npmStart({
        PATH: `${bin}${path.delimiter}${process.env.PATH}`,
        LEADBRIDGE_STOP_GRACE_MS: String(grace),
      });
      const { hubspot, salesforce, worker } = run.ports;
      await within(90_000, "npm start ready", run.printed("Ctrl-C stops everything"));
      const ports = [hubspot, salesforce, worker];
      const wranglerGroup = groupServing(worker);
      const groups = [run.child.pid!, wranglerGroup];
      const fakes = stackProcesses(ports, groups).filter((p) => p.pgid === wranglerGroup);
      expect(fakes.some((p) => p.args.includes("wrangler-dev.mjs"))).toBe(true);
      expect(fakes.some((p) => p.args.includes("--socket-addr=entry="))).toBe(true);

      // SIGINT to dev/start.ts's process alone: npm, not signalled itself, then exits with the
      // status start.ts chose (after a Ctrl-C to the whole group npm ends by that SIGINT instead).
      const start = processes().filter(
        (p) =>
          p.pgid === run.child.pid && p.args.includes("dev/start.ts") && p.args.startsWith("node"),
      );
      expect(start.length, "the node process running dev/start.ts").toBe(1);
      const sent = Date.now();
      process.kill(start[0]!.pid, "SIGINT");
      const { code } = await within(60_000, "npm start exiting after SIGINT", run.exited);
      const elapsed = Date.now() - sent;
      expect(stackProcesses(ports, groups)).toEqual([]);
      expect(await answering(ports)).toEqual([]);
      const out = run.output();
      // It asked first (both got SIGTERM), waited the grace period, then killed the group.
      expect(out).toContain("fake wrangler: ignoring SIGTERM");
      expect(out).toContain("fake workerd: ignoring SIGTERM");
      expect(elapsed).toBeGreaterThanOrEqual(grace);
      expect(out).toContain(
        "[leadbridge] wrangler dev (and its workerd) did not stop within 2 s of SIGTERM and was killed (SIGKILL)",
      );
      expect(out).toContain("[leadbridge] stopped, exit code 1");
      expect(code, out).toBe(1);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  }, 180_000);
});
