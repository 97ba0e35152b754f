// The requirement pool (docs/requirements.md): the top of the pool by RICE, and the lost-deal
// amount by missing feature, from GET /admin/requirements.
import { barChart } from "./charts.js";
import { $, call, card, h } from "./panel.js";

const TOP = 10;
const money = (n) => `$${Math.round(n).toLocaleString("en-US")}`;
const td = (text) => h("td", { textContent: String(text) });

export async function loadRequirements() {
  // Enough of the pool for the lost-amount chart to find the largest losses, not only the top.
  const pool = await call("GET", "/admin/requirements?top=500");
  renderRequirements(pool);
}

export function renderRequirements({ requirements, unassignedRequests }) {
  const lost = requirements.reduce((sum, r) => sum + r.lostAmount, 0);
  const open = requirements.reduce((sum, r) => sum + r.openAmount, 0);
  $("requirements-cards").replaceChildren(
    card("Requirements", String(requirements.length), "open and planned"),
    card("Lost deals behind them", money(lost), "closed lost, linked requests", lost ? "warn" : ""),
    card("Open deals behind them", money(open), "still open, linked requests"),
    card("Requests in no requirement", String(unassignedRequests), "to group"),
  );
  const rows = requirements
    .slice(0, TOP)
    .map((r, i) =>
      h(
        "tr",
        { dataset: { requirement: String(r.id) } },
        td(i + 1),
        td(r.title),
        td(r.score === null ? "–" : r.score),
        td(r.reach),
        td(r.score === null ? "unscored" : `${r.impact} × ${r.confidence} ÷ ${r.effort} d`),
        td(money(r.openAmount)),
        td(money(r.lostAmount)),
        td(r.status),
      ),
    );
  if (!rows.length)
    rows.push(
      h(
        "tr",
        {},
        h("td", {
          colSpan: 8,
          className: "muted",
          textContent: "No requirements yet: group requests (npm run admin -- requirements group)",
        }),
      ),
    );
  $("requirements-top").tBodies[0].replaceChildren(...rows);
  barChart(
    $("chart-requirements-lost"),
    requirements
      .filter((r) => r.lostAmount > 0)
      .sort((a, b) => b.lostAmount - a.lostAmount)
      .slice(0, TOP)
      .map((r) => ({
        label: r.title,
        value: r.lostAmount,
        display: money(r.lostAmount),
        cls: "bad",
      })),
    {
      name: "requirements-lost",
      emptyText: "No lost deal is linked to a requirement",
      labelWidth: 200,
    },
  );
}
