// The latest report's routing section (docs/report.md#routing): who got the day's new Leads
// against their caps, how fast sales first touched them, and the SLA breaches, by rep and pool.
import { barChart } from "./charts.js";
import { $, card, duration, h, rows, td } from "./panel.js";

const rep = (r) =>
  r.ownerId === null ? "no rep (Salesforce decided)" : (r.ownerName ?? r.ownerId);
const poolName = (p) => p ?? "no pool";

export function renderRouting(report) {
  const routing = report?.routing;
  if (!routing) {
    $("routing-reps").tBodies[0].replaceChildren();
    $("routing-pools").tBodies[0].replaceChildren();
    $("routing-version").textContent = "";
    $("routing-cards").replaceChildren(
      card("Assigned", "–", report ? "not in this report (written before)" : "no report"),
    );
    barChart($("chart-routing-caps"), [], { emptyText: "No routing figures in this report" });
    return;
  }
  const { assignments, firstTouch, sla } = routing;
  $("routing-version").textContent =
    routing.routingVersion === null
      ? "(no routing saved)"
      : `(routing v${routing.routingVersion} at the end of ${report.date})`;
  $("routing-cards").replaceChildren(
    card(
      "Assigned",
      String(assignments.total),
      assignments.byReason.map((r) => `${r.reason} ${r.count}`).join(", ") || "no new Leads",
    ),
    card(
      "Time to first touch p50",
      duration(firstTouch.p50Ms),
      firstTouch.count
        ? `p95 ${duration(firstTouch.p95Ms)} · ${firstTouch.count} leads that day`
        : "none that day",
    ),
    card(
      "SLA breaches",
      String(sla.firstBreaches + sla.secondBreaches),
      `${sla.secondBreaches} second · ${sla.reassigned} reassigned${sla.reassignFailed ? ` · ${sla.reassignFailed} refused` : ""}`,
      sla.firstBreaches + sla.secondBreaches ? "warn" : "good",
    ),
    card(
      "SLA alerts",
      String(sla.alertsSent),
      `sent · ${sla.alertsGivenUp} given up · ${sla.alertsPending} pending`,
      sla.alertsGivenUp ? "bad" : "",
    ),
  );
  // Assigned against the cap: a full bar is the cap reached.
  barChart(
    $("chart-routing-caps"),
    assignments.byRep.map((r) => ({
      label: rep(r),
      value: r.assigned,
      display: r.dailyCap === null ? `${r.assigned} (no cap)` : `${r.assigned} / ${r.dailyCap}`,
      cls: r.dailyCap !== null && r.assigned >= r.dailyCap ? "bad" : "",
    })),
    { name: "routing-assignments", emptyText: "No Leads assigned that day", labelWidth: 200 },
  );

  const touchOf = new Map(firstTouch.byRep.map((t) => [t.ownerId, t]));
  const repIds = [
    ...assignments.byRep,
    ...firstTouch.byRep.filter((t) => !assignments.byRep.some((a) => a.ownerId === t.ownerId)),
  ];
  rows("routing-reps", repIds, 5, "No Leads assigned or touched that day", (r) => {
    const a = assignments.byRep.find((x) => x.ownerId === r.ownerId);
    const t = touchOf.get(r.ownerId);
    return h(
      "tr",
      { dataset: { owner: r.ownerId ?? "" } },
      td(rep(r)),
      td(a?.assigned ?? 0),
      td(a?.dailyCap ?? "–"),
      td(duration(t?.p50Ms ?? null)),
      td(duration(t?.p95Ms ?? null)),
    );
  });

  const names = [
    ...new Set([
      ...assignments.byPool.map((p) => p.pool),
      ...firstTouch.byPool.map((p) => p.pool),
      ...sla.byPool.map((p) => p.pool),
    ]),
  ];
  rows("routing-pools", names, 6, "No pool took a Lead that day", (name) => {
    const t = firstTouch.byPool.find((p) => p.pool === name);
    const s = sla.byPool.find((p) => p.pool === name);
    return h(
      "tr",
      { dataset: { pool: name ?? "" } },
      td(poolName(name)),
      td(assignments.byPool.find((p) => p.pool === name)?.assigned ?? 0),
      td(`${duration(t?.p50Ms ?? null)} / ${duration(t?.p95Ms ?? null)}`),
      td(s ? `${s.firstBreaches} / ${s.secondBreaches}` : "0 / 0"),
      td(s?.reassigned ?? 0),
      td(s ? `${s.alertsSent} / ${s.alertsGivenUp} / ${s.alertsPending}` : "0 / 0 / 0"),
    );
  });
}
