// The latest report's figures about the sales team and the data (docs/report.md): quota
// attainment and time to ramp per rep, content usage per asset, the alerts and the data-quality
// findings. The report has had them all along; these panels show them. The quota editor under
// them manages what the attainment is measured against (GET/PUT /admin/quotas).
import { barChart } from "./charts.js";
import { $, call, card, h, pct, rows, showRefusal, td } from "./panel.js";

const money = (n) => (n === null || n === undefined ? "–" : n.toLocaleString("en-US"));

/** Quota attainment (month to date) and time to ramp, per rep. */
export function renderTeam(report) {
  const quota = report?.quotaAttainment ?? [];
  const ramp = report?.timeToRamp ?? [];
  $("quota-month").textContent = quota.length ? `(${quota[0].month} to ${report.date})` : "";
  const withQuota = quota.filter((q) => q.quota);
  const total = withQuota.reduce((s, q) => s + q.quota, 0);
  const wonTotal = withQuota.reduce((s, q) => s + q.closedWonAmount, 0);
  const ramped = ramp.filter((r) => r.daysToRamp !== null);
  const days = ramped.map((r) => r.daysToRamp).sort((a, b) => a - b);
  $("team-cards").replaceChildren(
    card(
      "Team attainment",
      total ? pct(wonTotal / total) : "–",
      total
        ? `${money(wonTotal)} of ${money(total)} month to date`
        : "no quotas: npm run admin -- quotas set",
      "",
      total ? { share: wonTotal / total } : undefined,
    ),
    card(
      "Reps ramped",
      `${ramped.length} / ${ramp.length}`,
      ramp.length
        ? `at ${pct(ramp[0].threshold)} of a month's quota`
        : "no rep with a start date and a quota",
    ),
    card(
      "Median days to ramp",
      days.length ? String(days[Math.floor((days.length - 1) / 2)]) : "–",
      days.length ? `fastest ${days[0]}, slowest ${days[days.length - 1]}` : "no rep ramped yet",
    ),
  );
  barChart(
    $("chart-quota"),
    quota.map((q) => ({
      label: q.ownerName,
      value: q.attainment ?? 0,
      display:
        q.quota === null
          ? `${money(q.closedWonAmount)} (no quota)`
          : `${pct(q.attainment)} of ${money(q.quota)}`,
      cls: q.attainment !== null && q.attainment < 0.5 ? "alt" : "",
    })),
    { name: "quota-attainment", emptyText: "No quotas or wins this month", labelWidth: 150 },
  );
  rows("ramp-table", ramp, 4, "No rep with a start date and a quota", (r) =>
    h(
      "tr",
      { dataset: { owner: r.ownerId } },
      td(r.ownerName),
      td(r.startDate ?? "–"),
      td(r.rampedOn ?? "not yet"),
      td(r.daysToRamp ?? "–"),
    ),
  );
}

/** Content usage against wins, per asset (and version). */
export function renderContent(report) {
  rows("content-usage", report?.contentUsage ?? [], 7, "No collateral in this report", (a) =>
    h(
      "tr",
      { dataset: { asset: a.assetId, version: a.version } },
      h(
        "td",
        {},
        a.url ? h("a", { href: a.url, textContent: a.title, rel: "noreferrer" }) : a.title,
      ),
      td(a.version),
      td(a.status),
      td(a.leads),
      td(a.opportunities),
      td(a.wins),
      td(pct(a.winRate)),
    ),
  );
}

/** The report's alerts (rejection-rate spikes) and data-quality findings. */
export function renderFindings(report) {
  const alerts = report?.alerts ?? [];
  const quality = report?.dataQuality ?? { illegalStageJumps: 0, findings: [], unmappedStages: [] };
  $("findings-cards").replaceChildren(
    card(
      "Alerts",
      String(alerts.length),
      "rejection-rate spikes by source",
      alerts.length ? "bad" : "good",
    ),
    card(
      "Illegal stage jumps",
      String(quality.illegalStageJumps),
      quality.findings.length < quality.illegalStageJumps
        ? `${quality.findings.length} shown`
        : "that day",
      quality.illegalStageJumps ? "warn" : "good",
    ),
    card(
      "Unmapped stages",
      String(quality.unmappedStages.length),
      quality.unmappedStages.join(", ") || "every StageName maps onto the sales process",
      quality.unmappedStages.length ? "warn" : "good",
    ),
  );
  $("alerts").replaceChildren(
    ...alerts.map((a) =>
      h(
        "li",
        { dataset: { kind: a.kind, source: a.source } },
        h("strong", { textContent: a.source }),
        ` ${a.message}`,
      ),
    ),
  );
  rows("stage-jumps", quality.findings, 5, "No illegal stage jump that day", (f) =>
    h(
      "tr",
      { dataset: { opportunity: f.opportunityId } },
      td(f.opportunityId),
      td(f.from),
      td(f.to),
      td(new Date(f.at).toLocaleString()),
      td(f.reason),
    ),
  );
}

/**
 * The quotas as GET /admin/quotas answers them, in the editor: on load only while the admin has not
 * typed there (a refresh keeps an edit), and always after a save, so the editor shows what is
 * stored rather than what was sent.
 */
export async function loadQuotas({ replace = false } = {}) {
  const { reps } = await call("GET", "/admin/quotas");
  const editor = $("quotas-doc");
  if (replace || !editor.value.trim()) editor.value = JSON.stringify({ reps }, null, 2);
}

export function setUpQuotas() {
  $("quotas-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("quotas-error").replaceChildren();
    $("quotas-saved").textContent = "";
    let body;
    try {
      body = JSON.parse($("quotas-doc").value);
    } catch (err) {
      $("quotas-error").textContent = `Not JSON: ${err.message}`;
      return;
    }
    try {
      await call("PUT", "/admin/quotas", body);
      await loadQuotas({ replace: true });
      $("quotas-saved").textContent = "Saved; the attainment above counts it from the next report.";
    } catch (err) {
      showRefusal($("quotas-error"), err);
    }
  });
}
