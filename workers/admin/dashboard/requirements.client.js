// The requirement pool (docs/requirements.md): the top of the pool by RICE, and the lost-deal
// amount by missing feature, from GET /admin/requirements; and a form that sets a requirement's
// RICE inputs and status (PUT /admin/requirements/:id), after which the pool is read again (the
// ranking may change).
import { barChart } from "./charts.js";
import { $, call, card, h, rows, showRefusal, td } from "./panel.js";

const TOP = 10;
const money = (n) => `$${Math.round(n).toLocaleString("en-US")}`;

export async function loadRequirements() {
  // Enough of the pool for the lost-amount chart to find the largest losses, not only the top.
  const pool = await call("GET", "/admin/requirements?top=500");
  renderRequirements(pool);
}

/** The pool as last read, by id: what the form fills in when a requirement is picked. */
let byId = new Map();
/** The admin typed in the form since it was last filled: a refresh must not undo that. */
let edited = false;

export function renderRequirements({ requirements, unassignedRequests }) {
  byId = new Map(requirements.map((r) => [String(r.id), r]));
  pickList(requirements);
  const lost = requirements.reduce((sum, r) => sum + r.lostAmount, 0);
  const open = requirements.reduce((sum, r) => sum + r.openAmount, 0);
  $("requirements-cards").replaceChildren(
    card("Requirements", String(requirements.length), "open and planned"),
    card("Lost deals behind them", money(lost), "closed lost, linked requests", lost ? "warn" : ""),
    card("Open deals behind them", money(open), "still open, linked requests"),
    card("Requests in no requirement", String(unassignedRequests), "to group"),
  );
  rows(
    "requirements-top",
    requirements.slice(0, TOP),
    8,
    "No requirements yet: group requests (npm run admin -- requirements group)",
    (r, i) =>
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

/** The form's requirement list in ranking order, keeping the one picked while it is in the pool. */
function pickList(requirements) {
  const select = $("requirement-id");
  const picked = select.value;
  select.replaceChildren(
    ...requirements.map((r) =>
      h("option", { value: String(r.id), textContent: `${r.title} (#${r.id})` }),
    ),
  );
  if (byId.has(picked)) select.value = picked;
  if (!edited || select.value !== picked) fill();
}

/** The picked requirement's inputs as stored; an unset one shows as “–” (empty). */
function fill() {
  edited = false;
  const r = byId.get($("requirement-id").value);
  const value = (v) => (v === null || v === undefined ? "" : String(v));
  $("requirement-impact").value = value(r?.impact);
  $("requirement-confidence").value = value(r?.confidence);
  $("requirement-effort").value = value(r?.effort);
  $("requirement-status").value = r?.status ?? "open";
}

export function setUpRequirements() {
  $("requirement-id").addEventListener("change", fill);
  for (const key of ["impact", "confidence", "effort", "status"])
    $(`requirement-${key}`).addEventListener("input", () => {
      edited = true;
    });
  $("requirement-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = $("requirement-id").value;
    if (!id) return;
    $("requirement-error").replaceChildren();
    $("requirement-saved").textContent = "";
    // Only what has a value: an empty field leaves the stored one as it is. The effort goes as
    // typed, so the API (not the browser) says what is wrong with it.
    const patch = { status: $("requirement-status").value };
    for (const key of ["impact", "confidence", "effort"]) {
      const text = $(`requirement-${key}`).value.trim();
      if (text !== "") patch[key] = Number(text);
    }
    try {
      const { requirement, notices } = await call(
        "PUT",
        `/admin/requirements/${encodeURIComponent(id)}`,
        patch,
      );
      // Saved: the form shows what is stored again.
      edited = false;
      await loadRequirements();
      $("requirement-saved").textContent =
        `Saved ${requirement.title}: RICE ${requirement.score ?? "–"}` +
        (notices
          ? `; Tasks to deal owners: ${notices.sent} sent, ${notices.alreadySent} sent before, ${notices.pending} in progress, ${notices.failed} failed (saving shipped again retries)`
          : "");
    } catch (err) {
      showRefusal($("requirement-error"), err);
    }
  });
}
