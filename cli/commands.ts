import { readFileSync } from "node:fs";
import cliProgress from "cli-progress";
import type { Job, RoutingPreview, RulesPreview } from "../shared/contracts/admin";
import type { OutcomeRun } from "../shared/contracts/outcome-sync";
import type { FunnelReport } from "../shared/contracts/report";
import { DEFAULT_RULES } from "../shared/contracts/rules";
import type { SubscriptionsReport, SubscriptionsSync } from "../shared/contracts/subscriptions";
import { type AdminApi, CliError } from "./api";
import { describeRoutingPreview } from "./routing-preview";
import { routingLines } from "./routing-report";
import { describePreview } from "./rules-preview";

export interface Io {
  out: (line: string) => void;
  /** True when `progress` is a terminal: a progress bar there instead of progress lines. */
  tty: boolean;
  /** Where the progress bar is drawn (standard error, so standard output stays clean for pipes). */
  progress?: NodeJS.WritableStream;
  pollMs: number;
}

type Flags = Record<string, string | boolean | undefined>;
const str = (flags: Flags, name: string) =>
  typeof flags[name] === "string" ? (flags[name] as string) : undefined;
const json = (value: unknown) => JSON.stringify(value, null, 2);

export async function resync(api: AdminApi, args: string[], _flags: Flags, io: Io) {
  const contactIds = args
    .flatMap((a) => a.split(","))
    .map((s) => s.trim())
    .filter(Boolean);
  if (!contactIds.length)
    throw new CliError("resync needs contact ids: npm run admin -- resync 101 102");
  const res = await api.call<{ accepted: number }>("POST", "/admin/resync", { contactIds });
  io.out(`queued ${res.accepted} contact(s) to be judged again`);
}

export async function backfill(api: AdminApi, _args: string[], flags: Flags, io: Io) {
  let job: Job;
  const id = str(flags, "resume") ?? str(flags, "status");
  if (str(flags, "cancel")) {
    job = await api.call<Job>("POST", `/admin/jobs/${str(flags, "cancel")}/cancel`);
    io.out(
      `cancelled ${job.id} at ${job.progress.scanned} contacts scanned; resume with --resume ${job.id}`,
    );
    return;
  } else if (str(flags, "resume")) {
    job = await api.call<Job>("POST", `/admin/jobs/${id}/resume`);
  } else if (str(flags, "status")) {
    job = await api.call<Job>("GET", `/admin/jobs/${id}`);
  } else {
    const since = str(flags, "since");
    if (!since)
      throw new CliError(
        "backfill needs --since <ISO date> (and optionally --until, --dry-run, --property lastmodifieddate)",
      );
    job = await api.call<Job>("POST", "/admin/backfill", {
      since,
      ...(str(flags, "until") ? { until: str(flags, "until") } : {}),
      dryRun: flags["dry-run"] === true,
      ...(str(flags, "property") ? { property: str(flags, "property") } : {}),
      ...(str(flags, "page-size") ? { pageSize: Number(str(flags, "page-size")) } : {}),
    });
    io.out(
      `started backfill ${job.id} (${job.params.since} → ${job.params.until}${job.params.dryRun ? ", dry run" : ""})`,
    );
  }
  if (flags["no-follow"] === true) return io.out(json(job));
  await follow(api, job, io);
}

/**
 * Follows a job until it stops, with a progress bar on a terminal and one line per change
 * elsewhere.
 */
async function follow(api: AdminApi, first: Job, io: Io) {
  const judged = (j: Job) => j.progress.handedOff + j.progress.refused + j.progress.otherOutcomes;
  const done = (j: Job) => (j.params.dryRun ? j.progress.scanned : judged(j));
  const total = (j: Job) => Math.max(j.expected ?? 0, j.progress.scanned, 1);
  const bar = io.tty
    ? new cliProgress.SingleBar(
        {
          format:
            "backfill [{bar}] {value}/{total} | scanned {scanned} | enqueued {enqueued} | handed off {handedOff} | refused {refused}",
          hideCursor: true,
          stream: io.progress ?? process.stderr,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let job = first;
  let lastLine = "";
  bar?.start(total(job), done(job), job.progress);
  for (;;) {
    bar?.setTotal(total(job));
    bar?.update(done(job), job.progress);
    const line = `${job.state}: scanned ${job.progress.scanned}, enqueued ${job.progress.enqueued}, handed off ${job.progress.handedOff}, refused ${job.progress.refused}`;
    if (!bar && line !== lastLine) io.out(line);
    lastLine = line;
    const finished = job.state === "done" && (job.params.dryRun || job.progress.pending === 0);
    if (finished || job.state === "cancelled" || job.state === "failed") break;
    await new Promise((r) => setTimeout(r, io.pollMs));
    job = await api.call<Job>("GET", `/admin/jobs/${job.id}`);
  }
  bar?.stop();
  if (job.state === "failed")
    throw new CliError(
      `backfill ${job.id} failed: ${job.lastError}; resume with --resume ${job.id}`,
    );
  io.out(
    `${job.id} ${job.state}: ${job.progress.scanned} scanned, ${job.progress.handedOff} handed off, ${job.progress.refused} refused`,
  );
}

export async function replay(api: AdminApi, args: string[], flags: Flags, io: Io) {
  if (flags.list === true || (!args.length && flags.all !== true)) {
    const res = await api.call<{
      open: number;
      deadLetters: { id: number; reason: string; contactId: string | null; receivedAt: string }[];
    }>("GET", "/admin/dead-letters?limit=50");
    io.out(`${res.open} open dead letter(s)`);
    for (const d of res.deadLetters)
      io.out(`  #${d.id} contact ${d.contactId ?? "-"} ${d.receivedAt} ${d.reason.slice(0, 100)}`);
    if (res.open) io.out("replay with: npm run admin -- replay <id> [<id> …] | --all");
    return;
  }
  const body =
    flags.all === true ? { all: true } : { ids: args.flatMap((a) => a.split(",")).map(Number) };
  const res = await api.call<{
    replayed: number[];
    skipped: { id: number; reason: string }[];
    remaining: number;
  }>("POST", "/admin/dead-letters/replay", body);
  io.out(
    `replayed ${res.replayed.length}, skipped ${res.skipped.length}, ${res.remaining} still open`,
  );
  for (const s of res.skipped) io.out(`  #${s.id}: ${s.reason}`);
}

export async function report(api: AdminApi, _args: string[], flags: Flags, io: Io) {
  const run = str(flags, "run");
  if (run)
    io.out(json(await api.call("POST", `/admin/telemetry/run?date=${encodeURIComponent(run)}`)));
  const date = str(flags, "date") ?? run;
  const body = await api.call<FunnelReport>(
    "GET",
    date
      ? `/admin/reports/funnel?date=${encodeURIComponent(date)}`
      : "/admin/reports/funnel/latest",
  );
  if (flags.json === true) return io.out(json(body));
  io.out(`Funnel report ${body.date}`);
  for (const [k, v] of Object.entries(body.funnel)) io.out(`  ${k.padEnd(24)} ${v}`);
  io.out(
    `  acceptance rate          ${body.acceptanceRate === null ? "–" : `${Math.round(body.acceptanceRate * 100)}%`}`,
  );
  for (const v of body.acceptanceByRulesVersion ?? [])
    io.out(
      `    under rules v${v.version}`.padEnd(27) +
        `${v.acceptanceRate === null ? "–" : `${Math.round(v.acceptanceRate * 100)}%`} (${v.qualified} of ${v.judged})`,
    );
  for (const r of body.rejectionReasons) io.out(`  rejected: ${r.code.padEnd(30)} ${r.count}`);
  const sales = body.sales;
  if (sales)
    io.out(
      `  sales acceptance rate    ${sales.acceptanceRate === null ? "–" : `${Math.round(sales.acceptanceRate * 100)}%`} (${sales.accepted} of ${sales.handedOff} handed off since ${sales.from}), ${sales.rejected} refused by sales, ${sales.staleMqls.count} stale MQLs`,
    );
  // Reports written before routing was measured have no section: nothing to print, not zeros.
  if (body.routing) for (const line of routingLines(body.routing)) io.out(line);
}

/** The documents the admin API keeps as versions. */
type VersionedKind = "rules" | "mapping" | "routing";

/** A PUT's answer: the version saved, and the routing's time zone (filled from the org's). */
interface Saved {
  version: number;
  routing?: { timeZone?: string };
}

/** What `<kind> set` prints once its version is saved. */
const savedLine: Record<VersionedKind, (saved: Saved) => string> = {
  rules: (saved) => `rules v${saved.version} are now in force`,
  mapping: (saved) => `mapping v${saved.version} is now in force`,
  routing: (saved) =>
    `routing v${saved.version} is now in force (day caps and business hours in ${saved.routing?.timeZone})`,
};

/**
 * `get [--version n]`, `versions` and `set <file> [--note why]` of a versioned document (the
 * rules, the mapping, the routing); true when the action was one of them.
 */
async function versionedDocument(
  api: AdminApi,
  kind: VersionedKind,
  [action = "get", file]: string[],
  flags: Flags,
  io: Io,
): Promise<boolean> {
  if (action === "set") {
    if (!file)
      throw new CliError(
        `${kind} set needs a JSON file: npm run admin -- ${kind} set ${kind}.json --note 'why'`,
      );
    const saved = await api.call<Saved>("PUT", `/admin/${kind}`, {
      [kind]: readDocument(file, kind),
      ...(str(flags, "note") ? { note: str(flags, "note") } : {}),
    });
    io.out(savedLine[kind](saved));
    return true;
  }
  if (action === "get") {
    const version = str(flags, "version");
    const query = version ? `?version=${encodeURIComponent(version)}` : "";
    io.out(json(await api.call("GET", `/admin/${kind}${query}`)));
    return true;
  }
  if (action !== "versions") return false;
  const res = await api.call<{
    versions: { version: number; createdAt: string; createdBy: string; note: string | null }[];
  }>("GET", `/admin/${kind}/versions`);
  for (const v of res.versions)
    io.out(`v${v.version}  ${v.createdAt}  ${v.createdBy}  ${v.note ?? ""}`);
  return true;
}

export async function rules(api: AdminApi, args: string[], flags: Flags, io: Io) {
  const [action = "get", file] = args;
  if (await versionedDocument(api, "rules", args, flags, io)) return;
  if (action === "preview") {
    const mapping = str(flags, "mapping");
    if (!file && !mapping)
      throw new CliError(
        "rules preview needs a JSON file of rules, a --mapping file, or both: npm run admin -- rules preview rules.json",
      );
    const days = daysFlag(flags);
    const preview = await api.call<RulesPreview>("POST", "/admin/rules/preview", {
      ...(file ? { rules: readRulesFile(file) } : {}),
      ...(mapping ? { mapping: readDocument(mapping, "mapping") } : {}),
      ...days,
    });
    for (const line of describePreview(preview)) io.out(line);
    return;
  }
  if (action === "reset") {
    // A new version holding the defaults: the versions before it stay readable.
    const saved = await api.call<{ version: number }>("PUT", "/admin/rules", {
      rules: DEFAULT_RULES,
      note: str(flags, "note") ?? "reset to the default rules",
    });
    return io.out(`rules v${saved.version} (the defaults) are now in force`);
  }
  throw new CliError(`unknown rules action "${action}" (get, versions, preview, set, reset)`);
}

/** A rules document from a file: the rules alone, or a whole version as `rules get` prints it. */
const readRulesFile = (file: string): unknown => readDocument(file, "rules");

/** A JSON file's value; one that cannot be read or parsed is a CliError naming the file. */
export function readJsonFile(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

/** A document from a file: the document alone, or a whole version as `<kind> get` prints it. */
function readDocument(file: string, kind: VersionedKind): unknown {
  const parsed = readJsonFile(file);
  const candidate = parsed as Record<string, unknown>;
  return candidate && typeof candidate === "object" && kind in candidate ? candidate[kind] : parsed;
}

/** `--days n` as a preview's request field: none without the flag, refused unless whole. */
function daysFlag(flags: Flags): { days?: number } {
  const days = str(flags, "days");
  if (days === undefined) return {};
  if (!/^\d+$/.test(days)) throw new CliError(`--days takes a whole number of days, not "${days}"`);
  return { days: Number(days) };
}

export async function mapping(api: AdminApi, args: string[], flags: Flags, io: Io) {
  const [action = "get"] = args;
  if (await versionedDocument(api, "mapping", args, flags, io)) return;
  throw new CliError(`unknown mapping action "${action}" (get, versions, set)`);
}

export async function routing(api: AdminApi, args: string[], flags: Flags, io: Io) {
  const [action = "get", file] = args;
  if (await versionedDocument(api, "routing", args, flags, io)) return;
  if (action === "preview") {
    if (!file)
      throw new CliError(
        "routing preview needs a JSON file: npm run admin -- routing preview routing.json --days 30",
      );
    const days = daysFlag(flags);
    const preview = await api.call<RoutingPreview>("POST", "/admin/routing/preview", {
      routing: readDocument(file, "routing"),
      ...days,
    });
    for (const line of describeRoutingPreview(preview)) io.out(line);
    return;
  }
  throw new CliError(`unknown routing action "${action}" (get, versions, set, preview)`);
}

export async function outcomes(api: AdminApi, args: string[], flags: Flags, io: Io) {
  const [action] = args;
  if (action !== "run")
    throw new CliError("outcomes needs an action: npm run admin -- outcomes run");
  const run = await api.call<OutcomeRun>("POST", "/admin/outcomes/run");
  if (flags.json === true) return io.out(json(run));
  const per = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([object, n]) => `${object} ${n}`)
      .join(", ") || "nothing";
  io.out(
    run.skipped
      ? `Salesforce not pulled (${run.skipped}); wrote what was pending`
      : `pulled ${per(run.pulled)} (${Object.values(run.pages).reduce((a, b) => a + b, 0)} query page(s))`,
  );
  io.out(
    `derived ${run.derived} sales outcome(s); ${run.skippedUnknown} Lead(s) not handed off by Leadbridge`,
  );
  io.out(
    `wrote ${run.written.contacts} HubSpot contact(s), ${run.written.notes} note(s); ${run.written.failed} failed, ${run.written.refused} refused by HubSpot, ${run.written.gone} gone from HubSpot`,
  );
  io.out(run.complete ? "complete" : `${run.pending} outcome(s) still pending: run again`);
}

export async function subscriptions(api: AdminApi, args: string[], flags: Flags, io: Io) {
  const [action = "show"] = args;
  if (action !== "show" && action !== "sync")
    throw new CliError(`unknown subscriptions action "${action}" (show, sync)`);
  const res: SubscriptionsReport & Partial<SubscriptionsSync> =
    action === "sync"
      ? await api.call<SubscriptionsSync>("POST", "/admin/subscriptions/sync")
      : await api.call<SubscriptionsReport>("GET", "/admin/subscriptions");
  if (flags.json === true) return io.out(json(res));
  const named = (s: { eventType: string; propertyName?: string }) =>
    s.propertyName ? `${s.eventType} ${s.propertyName}` : s.eventType;
  const list = (label: string, items: { eventType: string; propertyName?: string }[]) => {
    if (items.length) io.out(`${label}: ${items.map(named).join(", ")}`);
  };
  list("created", res.created ?? []);
  list("activated", res.activated ?? []);
  for (const f of res.failed ?? []) io.out(`failed: ${named(f)}: ${f.error}`);
  io.out(
    `rules v${res.rulesVersion}: ${res.needed.length} needed, ${res.subscribed.filter((s) => s.active).length} active in HubSpot`,
  );
  list("missing", res.missing);
  list("extra", res.extra);
  io.out(res.message);
}
