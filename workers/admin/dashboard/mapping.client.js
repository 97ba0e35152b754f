// The dashboard's field mapping panel: an admin pastes a mapping, previews which Salesforce Lead
// fields it would change (POST /admin/rules/preview with { mapping }, checked against Salesforce's
// Lead first) and only then can save it, with a note (PUT /admin/mapping).
import {
  $,
  call,
  contactLinks,
  h,
  missingSentence,
  previewThenSave,
  rows,
  showCurrent,
  stat,
  td,
} from "./panel.js";

/** The mapping in force, shown and (while the admin has not typed) put in the editor. */
export async function loadMapping() {
  const current = await call("GET", "/admin/mapping");
  showCurrent("mapping", current.version, current.mapping);
}

/** A Lead value as the table shows it: no value is a dash, anything else its text. */
const value = (v) => (v === null ? "–" : String(v));

function renderPreview(p, proposal) {
  const m = p.mapping;
  $("mapping-summary").replaceChildren(
    stat("judged", `Judged (last ${p.days} days)`, p.judged),
    stat("contactsChanged", "Contacts whose Lead would change", m.contactsChanged),
    stat("current", "Compared with", `v${m.current.version}, the mapping in force`),
  );
  rows("mapping-fields", m.fieldsChanged, 2, "None", (f) =>
    h("tr", { dataset: { field: f.field } }, td(f.field), td(f.contacts)),
  );
  $("mapping-examples").tBodies[0].replaceChildren(
    ...m.examples.map((e) =>
      h(
        "tr",
        { dataset: { field: e.field } },
        h("td", {}, ...contactLinks([e.contactId])),
        h("td", { textContent: e.field }),
        h("td", { textContent: value(e.before) }),
        h("td", { textContent: value(e.after) }),
      ),
    ),
  );
  $("mapping-missing").textContent = missingSentence(p.missingProperties, "this mapping names");
  // What the API leaves out of the comparison (docs/rules.md, "A mapping in the preview").
  const ifEmpty = proposal.fields.filter((f) => f.policy === "if_empty").map((f) => f.field);
  $("mapping-caveat").textContent = [
    "The if_empty policy is not applied here: payloads are compared as Leadbridge builds them, before Salesforce's own values are looked at.",
    ifEmpty.length
      ? `${ifEmpty.join(", ")} will be written only while empty in Salesforce, so a Lead whose field sales filled keeps its value.`
      : "",
  ]
    .join(" ")
    .trim();
}

export function setUpMapping() {
  previewThenSave("mapping", {
    preview: (mapping, days) => call("POST", "/admin/rules/preview", { mapping, days }),
    render: renderPreview,
    save: async (mapping, note) => (await call("PUT", "/admin/mapping", { mapping, note })).version,
    refusedBy: "Salesforce's Lead would refuse this mapping; nothing is saved:",
  });
}
