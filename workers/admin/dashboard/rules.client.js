// The dashboard's rules panel: an admin pastes a rules document, previews what it would change
// (POST /admin/rules/preview) and only then can save it, with a note (PUT /admin/rules).
import {
  $,
  call,
  contactLinks,
  h,
  missingSentence,
  previewThenSave,
  showCurrent,
  stat,
} from "./panel.js";

/** The rules in force, shown and (while the admin has not typed) put in the editor. */
export async function loadRules() {
  const current = await call("GET", "/admin/rules");
  showCurrent("rules", current.version, current.rules);
}

function renderPreview(p) {
  $("rules-summary").replaceChildren(
    stat("judged", `Judged (last ${p.days} days)`, p.judged),
    stat(
      "toQualified",
      "Would be qualified instead",
      p.toQualified,
      ...contactLinks(p.examples.toQualified),
    ),
    stat(
      "toRefused",
      "Would be refused instead",
      p.toRefused,
      ...contactLinks(p.examples.toRefused),
    ),
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
  $("rules-missing").textContent = missingSentence(p.missingProperties, "these rules name");
}

export function setUpRules() {
  previewThenSave("rules", {
    preview: (rules, days) => call("POST", "/admin/rules/preview", { rules, days }),
    render: renderPreview,
    save: async (rules, note) => (await call("PUT", "/admin/rules", { rules, note })).version,
    refusedBy: "These rules were refused; nothing is saved:",
  });
}
