// The dashboard's rules panel: an admin pastes a rules document, previews what it would change
// (POST /admin/rules/preview) and only then can save it, with a note (PUT /admin/rules).

const TOKEN_KEY = "leadbridge-admin-token";
const $ = (id) => document.getElementById(id);

async function call(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(json?.error?.message ?? `${method} ${path}: ${res.status}`);
  return json;
}

function h(tag, { dataset = {}, ...props } = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  Object.assign(node.dataset, dataset);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** The document last previewed, exactly as typed: only that one can be saved. */
let previewed = null;

function invalidate() {
  previewed = null;
  $("rules-save").disabled = true;
  $("rules-result").hidden = true;
}

/** The rules in force, shown and (while the admin has not typed) put in the editor. */
export async function loadRules() {
  const current = await call("GET", "/admin/rules");
  $("rules-version").textContent = `v${current.version} in force`;
  if (!$("rules-doc").value.trim()) $("rules-doc").value = JSON.stringify(current.rules, null, 2);
}

const examples = (ids) =>
  ids.map((id) => h("a", { href: `#lead/${id}`, textContent: id, className: "chip" }));

function renderPreview(p) {
  const stat = (key, label, value, ...more) =>
    h(
      "div",
      {},
      h("dt", { textContent: label }),
      h("dd", {}, h("span", { textContent: String(value), dataset: { key } }), ...more),
    );
  $("rules-summary").replaceChildren(
    stat("judged", `Judged (last ${p.days} days)`, p.judged),
    stat(
      "toQualified",
      "Would be qualified instead",
      p.toQualified,
      ...examples(p.examples.toQualified),
    ),
    stat("toRefused", "Would be refused instead", p.toRefused, ...examples(p.examples.toRefused)),
    stat("unchanged", "Unchanged", p.unchanged),
  );
  const codes = [...new Set([...Object.keys(p.byReason.before), ...Object.keys(p.byReason.after)])];
  $("rules-reasons").tBodies[0].replaceChildren(
    ...codes.map((code) =>
      h(
        "tr",
        { dataset: { code } },
        h("td", { textContent: code }),
        h("td", { textContent: String(p.byReason.before[code] ?? 0) }),
        h("td", { textContent: String(p.byReason.after[code] ?? 0) }),
      ),
    ),
  );
  const sources = [
    ...new Set([...Object.keys(p.bySource.before), ...Object.keys(p.bySource.after)]),
  ];
  const share = (c) => (c ? `${c.qualified} of ${c.qualified + c.refused}` : "0 of 0");
  $("rules-sources").tBodies[0].replaceChildren(
    ...sources.map((source) =>
      h(
        "tr",
        { dataset: { source } },
        h("td", { textContent: source }),
        h("td", { textContent: share(p.bySource.before[source]) }),
        h("td", { textContent: share(p.bySource.after[source]) }),
      ),
    ),
  );
  const m = p.missingProperties;
  $("rules-missing").textContent = m.names.length
    ? `Not read when judged: ${m.names.join(", ")}; read from HubSpot for ${m.readFromHubSpot} contacts, ${m.unread} judged without them.`
    : "Every property these rules name was read when the contacts were judged.";
  $("rules-result").hidden = false;
}

async function preview(event) {
  event.preventDefault();
  invalidate();
  $("rules-error").textContent = $("rules-saved").textContent = "";
  const text = $("rules-doc").value;
  let rules;
  try {
    rules = JSON.parse(text);
  } catch (err) {
    $("rules-error").textContent = `Not JSON: ${err.message}`;
    return;
  }
  try {
    renderPreview(
      await call("POST", "/admin/rules/preview", { rules, days: Number($("rules-days").value) }),
    );
    previewed = text;
    $("rules-save").disabled = false;
  } catch (err) {
    $("rules-error").textContent = err.message;
  }
}

async function save(event) {
  event.preventDefault();
  if (previewed === null || previewed !== $("rules-doc").value) return invalidate();
  try {
    const saved = await call("PUT", "/admin/rules", {
      rules: JSON.parse(previewed),
      note: $("rules-note").value.trim(),
    });
    $("rules-saved").textContent = `Saved as version ${saved.version}, now in force.`;
    $("rules-version").textContent = `v${saved.version} in force`;
    $("rules-note").value = "";
    invalidate();
  } catch (err) {
    $("rules-error").textContent = err.message;
  }
}

export function setUpRules() {
  $("rules-form").addEventListener("submit", preview);
  $("rules-save-form").addEventListener("submit", save);
  $("rules-doc").addEventListener("input", invalidate);
  $("rules-days").addEventListener("input", invalidate);
}
