import type { FeatureRequest, Requirement, ShipNotices } from "../shared/contracts/requirements";
import { type AdminApi, CliError } from "./api";
import type { Io } from "./commands";

// `npm run admin -- requirements …`: the requirement pool (docs/requirements.md) from a terminal.

type Flags = Record<string, string | boolean | undefined>;

const money = (n: number) => `$${Math.round(n).toLocaleString("en-US")}`;
const rice = (r: Requirement) =>
  r.score === null
    ? "unscored"
    : `RICE ${r.score} (${r.reach} × ${r.impact} × ${r.confidence} ÷ ${r.effort})`;

/** One line per requirement, ranked: score, reach and the money behind it. Pure. */
export function requirementLines(requirements: Requirement[], indent = ""): string[] {
  if (!requirements.length) return [`${indent}no requirements yet`];
  return requirements.map(
    (r, i) =>
      `${indent}${String(i + 1).padStart(2)}. #${r.id} ${r.title} [${r.status}]: ${rice(r)}, ${r.reach} account(s), ${r.requests} request(s), open ${money(r.openAmount)}, lost ${money(r.lostAmount)}`,
  );
}

const requestLine = (q: FeatureRequest) =>
  `  ${q.id}  ${q.accountName ?? q.accountId}  ${q.name}${q.urgency ? ` (${q.urgency})` : ""}`;

function number(flags: Flags, name: string): number | undefined {
  const value = flags[name];
  if (typeof value !== "string") return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new CliError(`--${name} must be a number, not "${value}"`);
  return n;
}

function requirementId(value: string | undefined, usage: string): number {
  const id = Number(value);
  if (!value || !Number.isInteger(id) || id < 1) throw new CliError(usage);
  return id;
}

const ACTIONS = "list, show, unassigned, group, attach, merge, set";

export async function requirements(api: AdminApi, args: string[], flags: Flags, io: Io) {
  const [action = "list", ...rest] = args;
  if (action === "list") {
    const query = new URLSearchParams();
    const top = number(flags, "top");
    if (top !== undefined) query.set("top", String(top));
    if (typeof flags.status === "string") query.set("status", flags.status);
    const res = await api.call<{ requirements: Requirement[]; unassignedRequests: number }>(
      "GET",
      `/admin/requirements${query.size ? `?${query}` : ""}`,
    );
    if (flags.json) return io.out(JSON.stringify(res, null, 2));
    for (const line of requirementLines(res.requirements)) io.out(line);
    if (res.unassignedRequests)
      io.out(`${res.unassignedRequests} request(s) in no requirement: requirements unassigned`);
    return;
  }
  if (action === "show") {
    const id = requirementId(rest[0], "requirements show needs an id: requirements show 3");
    const res = await api.call<Requirement & { requestList: FeatureRequest[] }>(
      "GET",
      `/admin/requirements/${id}`,
    );
    for (const line of requirementLines([res])) io.out(line);
    for (const q of res.requestList) io.out(requestLine(q));
    return;
  }
  if (action === "unassigned") {
    const res = await api.call<{ requests: FeatureRequest[] }>(
      "GET",
      "/admin/feature-requests/unassigned",
    );
    if (!res.requests.length) io.out("every request is in a requirement");
    for (const q of res.requests) io.out(requestLine(q));
    return;
  }
  if (action === "group") {
    const [title, ...requestIds] = rest;
    if (!title || !requestIds.length)
      throw new CliError(
        'requirements group needs a title and request ids: requirements group "Single sign-on" a0F… a0F…',
      );
    const created = await api.call<Requirement>("POST", "/admin/requirements", {
      title,
      requestIds,
    });
    io.out(
      `requirement #${created.id} ${created.title}: ${created.requests} request(s), ${created.reach} account(s)`,
    );
    return;
  }
  if (action === "attach") {
    const usage = "requirements attach needs an id and request ids: requirements attach 3 a0F…";
    const id = requirementId(rest[0], usage);
    if (rest.length < 2) throw new CliError(usage);
    const res = await api.call<Requirement>("POST", `/admin/requirements/${id}/requests`, {
      requestIds: rest.slice(1),
    });
    io.out(
      `requirement #${res.id} ${res.title}: ${res.requests} request(s), ${res.reach} account(s)`,
    );
    return;
  }
  if (action === "merge") {
    const usage = "requirements merge needs two ids: requirements merge 4 --into 3";
    const id = requirementId(rest[0], usage);
    const into = requirementId(typeof flags.into === "string" ? flags.into : undefined, usage);
    const res = await api.call<Requirement>("POST", `/admin/requirements/${id}/merge`, { into });
    io.out(`#${id} merged into #${res.id} ${res.title}: ${res.requests} request(s)`);
    return;
  }
  if (action === "set") {
    const id = requirementId(
      rest[0],
      "requirements set needs an id: requirements set 3 --impact 2 --confidence 0.8 --effort 10",
    );
    const body = {
      impact: number(flags, "impact"),
      confidence: number(flags, "confidence"),
      effort: number(flags, "effort"),
      status: typeof flags.status === "string" ? flags.status : undefined,
      title: typeof flags.title === "string" ? flags.title : undefined,
    };
    if (Object.values(body).every((v) => v === undefined))
      throw new CliError(
        "requirements set needs --impact, --confidence, --effort, --status or --title",
      );
    const res = await api.call<{ requirement: Requirement; notices: ShipNotices | null }>(
      "PUT",
      `/admin/requirements/${id}`,
      body,
    );
    for (const line of requirementLines([res.requirement])) io.out(line);
    const n = res.notices;
    if (n)
      io.out(
        `shipped: ${n.sent} Task(s) sent to deal owners, ${n.alreadySent} sent before${n.pending ? `, ${n.pending} being sent` : ""}${n.failed ? `, ${n.failed} failed (set the status again to retry)` : ""}`,
      );
    return;
  }
  throw new CliError(`unknown requirements action "${action}" (${ACTIONS})`);
}
