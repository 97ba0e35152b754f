// The admin dashboard: asks for the token once per tab, then reads the admin API with it.
import { barChart, lineChart } from "./charts.js";
import { loadCollateral, setUpCollateral } from "./collateral.js";
import { loadMapping, setUpMapping } from "./mapping.js";
import { $, card, duration, h, pct, rows, TOKEN_KEY, td } from "./panel.js";
import { loadRequirements, setUpRequirements } from "./requirements.js";
import { renderRouting } from "./routing.js";
import { loadRules, setUpRules } from "./rules.js";
import { loadQuotas, renderContent, renderFindings, renderTeam, setUpQuotas } from "./team.js";

const SPEED_DAYS = 14;

class Unauthorized extends Error {}

async function api(path) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (res.status === 401) throw new Unauthorized("The token was refused");
  if (res.status === 404) return null;
  const body = await res.json();
  if (!res.ok) throw new Error(`${path}: ${body?.error?.message ?? res.status}`);
  return body;
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : "–");
const days = (n) =>
  Array.from({ length: n }, (_, i) =>
    new Date(Date.now() - (n - i) * 86_400_000).toISOString().slice(0, 10),
  );

function showLogin(message = "") {
  $("main").hidden = true;
  $("refresh").hidden = $("sign-out").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message;
  $("token").focus();
}

async function load() {
  $("login").hidden = true;
  $("main").hidden = false;
  $("refresh").hidden = $("sign-out").hidden = false;
  const problems = [];
  const safe = (promise, what) =>
    promise.catch((err) => {
      if (err instanceof Unauthorized) throw err;
      problems.push(`${what}: ${err.message}`);
      return null;
    });
  try {
    const [report, health, refusals, jobs, history] = await Promise.all([
      safe(api("/admin/reports/funnel/latest"), "funnel report"),
      safe(api("/admin/sync-health"), "sync health"),
      safe(api("/admin/leads?status=rejected&limit=12"), "refusals"),
      safe(api("/admin/jobs"), "jobs"),
      Promise.all(
        days(SPEED_DAYS).map((d) => safe(api(`/admin/reports/funnel?date=${d}`), `report ${d}`)),
      ),
      safe(loadRules(), "rules"),
      safe(loadMapping(), "mapping"),
      safe(loadRequirements(), "requirements"),
      safe(loadCollateral(), "collateral"),
      safe(loadQuotas(), "quotas"),
    ]);
    renderReport(report, history.filter(Boolean));
    renderSales(report);
    renderRouting(report);
    renderTeam(report);
    renderContent(report);
    renderFindings(report);
    renderHealth(health);
    renderRefusals(refusals?.leads ?? []);
    renderJobs(jobs?.jobs ?? []);
    $("load-errors").textContent = problems.join("; ");
    document.body.dataset.loaded = "true";
  } catch (err) {
    if (err instanceof Unauthorized) {
      sessionStorage.removeItem(TOKEN_KEY);
      return showLogin("That token was refused; try again.");
    }
    $("load-errors").textContent = err.message;
  }
}

function renderReport(report, history) {
  $("report-date").textContent = report
    ? `Funnel report for ${report.date} (generated ${when(report.generatedAt)})`
    : "No funnel report yet: run the telemetry (npm run admin -- report --run).";
  const f = report?.funnel;
  barChart(
    $("chart-funnel"),
    f
      ? [
          ["Webhook events", f.webhookEvents],
          ["Contacts judged", f.contactsJudged],
          ["Qualified", f.qualified],
          ["Handed off", f.handedOff],
          ["Rejected", f.rejected, "bad"],
          ["Converted to opportunity", f.convertedToOpportunity],
          ["Won", f.won],
          ["Lost", f.lost, "alt"],
        ].map(([label, value, cls]) => ({ label, value, cls }))
      : [],
    { name: "funnel", emptyText: "No funnel report yet" },
  );
  barChart(
    $("chart-reasons"),
    (report?.rejectionReasons ?? [])
      .slice()
      .sort((a, b) => b.count - a.count)
      .map((r) => ({ label: r.code, value: r.count, cls: "bad" })),
    { name: "rejection-reasons", emptyText: "No refusals in the report", labelWidth: 200 },
  );
  const points = [
    ...history,
    ...(report && !history.some((r) => r.date === report.date) ? [report] : []),
  ]
    .filter((r) => r.speedToLead?.count > 0)
    .sort((a, b) => a.date.localeCompare(b.date));
  // Seconds, minutes or hours: whichever keeps the slowest point readable.
  const slowest = Math.max(
    0,
    ...points.map((r) => r.speedToLead.p95Ms ?? r.speedToLead.p50Ms ?? 0),
  );
  const [unit, per] =
    slowest < 120_000 ? ["s", 1000] : slowest < 7_200_000 ? ["m", 60_000] : ["h", 3_600_000];
  const scaled = (ms) => (ms === null || ms === undefined ? null : ms / per);
  $("speed-unit").textContent = { s: "seconds", m: "minutes", h: "hours" }[unit];
  lineChart(
    $("chart-speed"),
    points.map((r) => r.date.slice(5)),
    [
      { name: "p50", values: points.map((r) => scaled(r.speedToLead.p50Ms)) },
      { name: "p95", values: points.map((r) => scaled(r.speedToLead.p95Ms)), cls: "alt" },
    ],
    { name: "speed-to-lead", emptyText: "No handoffs timed yet", unit },
  );
  barChart(
    $("chart-winrate"),
    (report?.winRateByStage ?? [])
      .filter((s) => s.closed > 0)
      .map((s) => ({
        label: s.stage,
        value: s.winRate ?? 0,
        display: `${pct(s.winRate)} (${s.won}/${s.closed})`,
      })),
    { name: "win-rate", emptyText: "No closed deals yet", max: 1 },
  );
}

/** What sales did with the leads handed off: the report's `sales` section. */
function renderSales(report) {
  const sales = report?.sales;
  if (!sales) {
    $("sales-window").textContent = "";
    $("sales-cards").replaceChildren(
      card("Sales acceptance", "–", report ? "not in this report (written before)" : "no report"),
    );
    barChart($("chart-sales-reasons"), [], { emptyText: "No sales figures in this report" });
    $("sales-sources").tBodies[0].replaceChildren();
    $("stale-oldest").textContent = "";
    return;
  }
  const touch = sales.timeToFirstTouch;
  const stale = sales.staleMqls;
  $("sales-window").textContent = `(leads handed off ${sales.from} – ${report.date})`;
  $("sales-cards").replaceChildren(
    card(
      "Sales acceptance",
      pct(sales.acceptanceRate),
      `${sales.accepted} of ${sales.handedOff} handed off`,
      "",
      sales.acceptanceRate === null ? undefined : { share: sales.acceptanceRate },
    ),
    card("Sales refusals", String(sales.rejected), `in the ${sales.windowDays} days`),
    card(
      "First touch p50",
      duration(touch.p50Ms),
      touch.count
        ? `p95 ${duration(touch.p95Ms)} · ${touch.count} leads that day`
        : "none that day",
    ),
    card(
      "Stale MQLs",
      String(stale.count),
      `untouched over ${stale.afterDays} days`,
      stale.count ? "warn" : "good",
    ),
  );
  barChart(
    $("chart-sales-reasons"),
    sales.rejectionReasons.map((r) => ({
      label: r.reason || "no reason given",
      value: r.count,
      cls: "bad",
    })),
    { name: "sales-rejection-reasons", emptyText: "Sales refused no lead", labelWidth: 200 },
  );
  const cell = (n, rate) =>
    h(
      "td",
      { textContent: String(n) },
      rate === undefined ? null : h("small", { textContent: pct(rate) }),
    );
  rows("sales-sources", sales.bySource, 4, "No leads handed off", (s) =>
    h(
      "tr",
      { dataset: { source: s.source } },
      td(s.source),
      cell(s.handedOff),
      cell(s.opportunities, s.opportunityRate),
      cell(s.won, s.wonRate),
    ),
  );
  $("stale-oldest").replaceChildren(
    ...(stale.oldest.length
      ? [
          "Waiting longest: ",
          ...stale.oldest.flatMap((o, i) => [
            i ? ", " : "",
            h("a", { href: `#lead/${o.contactId}`, textContent: o.contactId }),
            ` (${when(o.handedOffAt)})`,
          ]),
        ]
      : []),
  );
}

function renderHealth(health) {
  const cards = $("cards");
  if (!health) return cards.replaceChildren(card("Sync health", "–", "unavailable"));
  const kind = (k) => health.errors.find((e) => e.kind === k)?.count ?? 0;
  const sf = health.salesforce;
  const hs = health.hubspot;
  const sfTone =
    sf.share === null
      ? ""
      : sf.share >= sf.budgetShare
        ? "bad"
        : sf.share >= sf.budgetShare * 0.8
          ? "warn"
          : "good";
  cards.replaceChildren(
    // A dependency the handoff waits for ("paused: HubSpot unavailable since …"), first.
    ...(health.paused ?? []).map((p) => card("Paused", p.dependency, p.message, "bad")),
    card("Handed off", String(health.outcomes.handedOff), "last 24 h", "good"),
    card("Rejected", String(health.outcomes.rejected), "last 24 h"),
    card("Existing customers", String(health.outcomes.existingContacts), "no Lead made, last 24 h"),
    card(
      "Dead letters",
      String(health.backlog.deadLetters),
      "open",
      health.backlog.deadLetters ? "bad" : "good",
    ),
    card(
      "Waiting",
      String(health.backlog.waitingContacts + health.backlog.backfillPending),
      "held, retrying or queued by a backfill",
      health.backlog.waitingContacts ? "warn" : "",
    ),
    card(
      "Salesforce API",
      sf.share === null ? "–" : pct(sf.share),
      sf.max ? `${sf.used} of ${sf.max} today; hold at ${pct(sf.budgetShare)}` : "no call seen yet",
      sfTone,
      sf.share === null ? undefined : { share: sf.share, mark: sf.budgetShare },
    ),
    card(
      "HubSpot headroom",
      hs.remaining === null ? "–" : String(hs.remaining),
      hs.max
        ? `of ${hs.max} per ${hs.intervalMs / 1000} s; ${hs.dailyRemaining} left today`
        : "recorded by backfills",
    ),
    card(
      "Validation errors",
      String(kind("validation")),
      "Salesforce refused the data",
      kind("validation") ? "warn" : "",
    ),
    card(
      "Duplicates",
      String(kind("duplicates")),
      "duplicate rule in Salesforce",
      kind("duplicates") ? "warn" : "",
    ),
    card("Auth errors", String(kind("auth")), "credentials refused", kind("auth") ? "bad" : ""),
    card(
      "Limit errors",
      String(kind("limits")),
      "rate or daily limits",
      kind("limits") ? "warn" : "",
    ),
  );
  $("health-window").textContent = `(since ${when(health.window.from)})`;
  barChart(
    $("chart-errors"),
    health.errors.map((e) => ({
      label: e.kind,
      value: e.count,
      cls: "bad",
      display: e.contacts.length ? `${e.count} · ${e.contacts.length} contacts` : String(e.count),
    })),
    { name: "sync-errors", labelWidth: 110 },
  );
}

function renderRefusals(leads) {
  rows("refusals", leads, 5, "No refusals recorded", (lead) =>
    h(
      "tr",
      {},
      h("td", {}, h("a", { href: `#lead/${lead.contactId}`, textContent: lead.contactId })),
      h("td", {}, ...lead.reasons.map((r) => h("span", { className: "chip", textContent: r }))),
      td(lead.rulesVersion === null ? "–" : `v${lead.rulesVersion}`),
      td(lead.engagementScore ?? "–"),
      td(when(lead.judgedAt)),
    ),
  );
}

function renderJobs(jobs) {
  if (!jobs.length)
    return $("jobs").replaceChildren(
      h("p", {
        className: "muted",
        textContent: "No backfills yet (npm run admin -- backfill --since …).",
      }),
    );
  const rows = jobs.slice(0, 6).map((j) => {
    const p = j.progress;
    const done = p.scanned
      ? (p.handedOff + p.refused + p.otherOutcomes) / Math.max(1, p.enqueued || p.scanned)
      : 0;
    const meter = h("div", { className: "meter" }, h("span"));
    meter.firstChild.style.width = `${Math.min(100, done * 100)}%`;
    return h(
      "tr",
      {},
      td(j.id),
      td(j.state),
      h(
        "td",
        { textContent: `${p.scanned} found, ${p.handedOff} handed off, ${p.refused} refused` },
        meter,
      ),
    );
  });
  $("jobs").replaceChildren(h("table", {}, h("tbody", {}, ...rows)));
}

/** Who the routing gave the Lead and why, e.g. "005… (pool inbound, routing v3)". */
function ownerText(a) {
  const why = a.pool ? `pool ${a.pool}` : a.reason.replaceAll("_", " ");
  return `${a.ownerId ?? "Salesforce decides"} (${why}, routing v${a.routingVersion})`;
}

async function showLead(contactId) {
  const detail = await api(`/admin/leads/${encodeURIComponent(contactId)}`).catch((err) => ({
    error: err.message,
  }));
  $("lead").hidden = false;
  $("lead-title").textContent = `contact ${contactId}`;
  const lead = detail?.lead;
  const facts = lead
    ? [
        ["Status", lead.status],
        ["Reasons", lead.reasons.join(", ") || "–"],
        ["Rules version", lead.rulesVersion],
        ["Engagement", lead.engagementScore],
        ["Salesforce lead", lead.salesforceLeadId ?? "–"],
        ["Judged", when(lead.judgedAt)],
        ...(detail.assignment ? [["Owner", ownerText(detail.assignment)]] : []),
      ]
    : [["Status", detail?.error ?? "unknown to Leadbridge"]];
  $("lead-state").replaceChildren(
    ...facts.flatMap(([k, v]) => [
      h("dt", { textContent: k }),
      h("dd", { textContent: String(v ?? "–") }),
    ]),
  );
  $("lead-audit").replaceChildren(
    ...(detail?.audit ?? []).map((a) =>
      h(
        "li",
        {},
        h("strong", { textContent: a.step }),
        ` ${when(a.at)} `,
        h("code", { textContent: JSON.stringify(a.detail) }),
      ),
    ),
  );
  $("lead").scrollIntoView({ behavior: "smooth" });
}

function route() {
  const match = /^#lead\/(\d+)$/.exec(location.hash);
  if (match) showLead(match[1]);
  else $("lead").hidden = true;
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
    $("token").value = "";
    load().then(route);
  });
  $("refresh").addEventListener("click", () => load());
  setUpRules();
  setUpMapping();
  setUpCollateral();
  setUpRequirements();
  setUpQuotas();
  $("sign-out").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin();
  });
  $("lead-close").addEventListener("click", (event) => {
    event.preventDefault();
    history.replaceState(null, "", location.pathname);
    route();
  });
  window.addEventListener("hashchange", route);
  if (sessionStorage.getItem(TOKEN_KEY)) load().then(route);
  else showLogin();
});
