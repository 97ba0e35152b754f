// The dashboard's collateral panel (docs/admin.md#collateral): every version of every asset, the
// one sales sees marked, a button to publish or archive each, and a form that adds an asset or a
// new version from its JSON (POST /admin/collateral). A published version's content never
// changes, so there is no edit: a change is a new version.
import { $, call, h, rows } from "./panel.js";

const credit = (a) =>
  [
    ...a.attribution.conversionEvents.map((e) => `event “${e}”`),
    ...a.attribution.urlPatterns.map((p) => `URL ${p}`),
    ...(a.attribution.leadSource ? [`source ${a.attribution.leadSource}`] : []),
  ].join(", ") || "–";

/** Reads every version and what sales sees, and redraws the table. */
export async function loadCollateral() {
  const [all, shown] = await Promise.all([
    call("GET", "/admin/collateral?all=1"),
    call("GET", "/admin/collateral"),
  ]);
  const seen = new Set(shown.assets.map((a) => `${a.assetId}@${a.version}`));
  rows("collateral-versions", all.assets, 7, "No collateral yet", (a) =>
    row(a, seen.has(`${a.assetId}@${a.version}`)),
  );
}

function row(a, salesSees) {
  const next = a.status === "published" ? "archived" : "published";
  const button = h("button", {
    type: "button",
    textContent: next === "published" ? "Publish" : "Archive",
    dataset: { action: next },
  });
  button.addEventListener("click", () =>
    act(() =>
      call("PUT", `/admin/collateral/${encodeURIComponent(a.assetId)}/${a.version}`, {
        status: next,
      }),
    ),
  );
  return h(
    "tr",
    { dataset: { asset: a.assetId, version: a.version, status: a.status } },
    h("td", { textContent: a.assetId }),
    h(
      "td",
      { textContent: a.version },
      salesSees ? h("span", { className: "chip", textContent: "sales sees" }) : null,
    ),
    h("td", { textContent: a.status }),
    h("td", {}, h("a", { href: a.url, textContent: a.title, rel: "noreferrer" }), ` (${a.type})`),
    h("td", { textContent: a.targetAudience }),
    h("td", { textContent: credit(a) }),
    h("td", {}, button),
  );
}

/** Runs a write, then shows the API's refusal (it names the field) or the table as it now is. */
async function act(write) {
  $("collateral-error").textContent = "";
  try {
    await write();
    await loadCollateral();
    return true;
  } catch (err) {
    $("collateral-error").textContent = err.message;
    return false;
  }
}

export function setUpCollateral() {
  $("collateral-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    let body;
    try {
      body = JSON.parse($("collateral-doc").value);
    } catch (err) {
      $("collateral-error").textContent = `Not JSON: ${err.message}`;
      return;
    }
    if (await act(() => call("POST", "/admin/collateral", body))) $("collateral-doc").value = "";
  });
}
