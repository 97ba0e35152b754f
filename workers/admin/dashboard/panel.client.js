// What the dashboard's panels share: the admin API called with the tab's token, a small element
// builder, table cells and rows, figure cards, and for the document panels (rules, field mapping)
// the flow an admin follows in each: paste a document, preview what it would change, and save
// exactly the text previewed as a new version, with a note.

/** Where the tab keeps the admin token (sessionStorage): set at sign-in, dropped at sign-out. */
export const TOKEN_KEY = "leadbridge-admin-token";
export const $ = (id) => document.getElementById(id);

/** A refused call: the API's message and, when it names parts of the document, its `fields`. */
export class ApiError extends Error {
  constructor(message, fields) {
    super(message);
    this.fields = fields ?? [];
  }
}

export async function call(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = await res.json().catch(() => null);
  if (!res.ok)
    throw new ApiError(
      json?.error?.message ?? `${method} ${path}: ${res.status}`,
      json?.error?.fields,
    );
  return json;
}

export function h(tag, { dataset = {}, ...props } = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  Object.assign(node.dataset, dataset);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** A share as a whole percentage; – when there is none. */
export const pct = (v) => (v === null || v === undefined ? "–" : `${Math.round(v * 100)}%`);

/** A table cell showing `text`. */
export const td = (text) => h("td", { textContent: String(text) });

/**
 * Fills the body of table `id` with one `row(item, index)` per item, or with one grey row across
 * its `columns` saying `emptyText` when there is none.
 */
export function rows(id, items, columns, emptyText, row) {
  const body = $(id).tBodies[0];
  body.replaceChildren(...items.map(row));
  if (!items.length)
    body.append(
      h("tr", {}, h("td", { colSpan: columns, className: "muted", textContent: emptyText })),
    );
}

/** Contact ids as chips linking to their audit trails. */
export const contactLinks = (ids) =>
  ids.map((id) => h("a", { href: `#lead/${id}`, textContent: id, className: "chip" }));

/** One `<dt>label</dt><dd>value …</dd>` pair of a summary; the value carries data-key for tests. */
export const stat = (key, label, value, ...more) =>
  h(
    "div",
    {},
    h("dt", { textContent: label }),
    h("dd", {}, h("span", { textContent: String(value), dataset: { key } }), ...more),
  );

/** The preview's word on properties its stored judgements lacked; `named` says by what. */
export function missingSentence(m, named) {
  return m.names.length
    ? `Not read when judged: ${m.names.join(", ")}; read from HubSpot for ${m.readFromHubSpot} contacts, ${m.unread} judged without them.`
    : `Every property ${named} was read when the contacts were judged.`;
}

/** Problems as a list, each `<li data-field>` naming its field. */
const problemList = (fields) =>
  h(
    "ul",
    { className: "problems" },
    ...fields.map((f) =>
      h(
        "li",
        { dataset: { field: f.field } },
        h("strong", { textContent: f.field }),
        ` ${f.problem}`,
      ),
    ),
  );

/**
 * A refused write shown in `target` field by field: the API's `fields` when it lists them, else
 * the one field a schema refusal's message starts with (`body.effort: …`, see validate.ts).
 */
export function showRefusal(target, err) {
  const named = /^((?:body|path|query)[\w.[\]]*): (.*)$/s.exec(err.message ?? "");
  const fields = err.fields?.length
    ? err.fields
    : named
      ? [{ field: named[1], problem: named[2] }]
      : [];
  target.replaceChildren(
    ...(fields.length ? [h("p", { textContent: "Nothing saved:" }), problemList(fields)] : []),
  );
  if (!fields.length) target.textContent = err.message;
}

/** The version in force, shown; its document goes in the editor while the admin has not typed. */
export function showCurrent(name, version, doc) {
  $(`${name}-version`).textContent = `v${version} in force`;
  const editor = $(`${name}-doc`);
  if (!editor.value.trim()) editor.value = JSON.stringify(doc, null, 2);
}

/**
 * Wires the panel whose elements are `<name>-form`, `-doc`, `-days`, `-error`, `-result`,
 * `-save-form`, `-note`, `-save`, `-saved` and `-version`. `preview(document, days)` answers the
 * API's preview, which `render(answer, document)` draws into `-result`; `save(document, note)`
 * stores it and answers the new version. Save is enabled only once a preview of exactly the text in
 * the editor (and the days) succeeded: any edit asks for a new one. A refusal that names parts of
 * the document lists each, after `refusedBy` (what refused them).
 */
export function previewThenSave(name, { preview, render, save, refusedBy }) {
  const el = (part) => $(`${name}-${part}`);
  /** The text last previewed, exactly as typed: only that one can be saved. */
  let previewed = null;

  const invalidate = () => {
    previewed = null;
    el("save").disabled = true;
    el("result").hidden = true;
  };
  const showError = (err) =>
    el("error").replaceChildren(
      ...(err.fields?.length
        ? [h("p", { textContent: refusedBy }), problemList(err.fields)]
        : [err.message]),
    );

  el("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    invalidate();
    el("error").replaceChildren();
    el("saved").textContent = "";
    const [text, days] = [el("doc").value, el("days").value];
    let doc;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      el("error").textContent = `Not JSON: ${err.message}`;
      return;
    }
    try {
      const answer = await preview(doc, Number(days));
      // Edited while the preview ran: that answer is for a text no longer in the editor.
      if (el("doc").value !== text || el("days").value !== days) return;
      render(answer, doc);
      el("result").hidden = false;
      previewed = text;
      el("save").disabled = false;
    } catch (err) {
      showError(err);
    }
  });

  el("save-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (previewed === null || previewed !== el("doc").value) return invalidate();
    el("error").replaceChildren();
    try {
      const version = await save(JSON.parse(previewed), el("note").value.trim());
      el("saved").textContent = `Saved as version ${version}, now in force.`;
      el("version").textContent = `v${version} in force`;
      el("note").value = "";
      invalidate();
    } catch (err) {
      showError(err);
    }
  });

  el("doc").addEventListener("input", invalidate);
  el("days").addEventListener("input", invalidate);
}

/** A duration in the unit that keeps it short: seconds, minutes, hours or days. */
export function duration(ms) {
  if (ms === null || ms === undefined) return "–";
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 172_800_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}

/** A figure card (label, value, a line under it, a tone, an optional meter); data-card = label. */
export function card(label, value, sub, tone, meter) {
  const node = h(
    "div",
    { className: `card ${tone ?? ""}` },
    h("div", { className: "label", textContent: label }),
    h("div", { className: "value", textContent: value }),
  );
  node.dataset.card = label;
  if (sub) node.append(h("div", { className: "sub", textContent: sub }));
  if (meter) {
    const bar = h("div", { className: "meter" }, h("span"));
    bar.firstChild.style.width = `${Math.min(100, meter.share * 100)}%`;
    if (meter.mark !== undefined) {
      const mark = h("i");
      mark.style.left = `${meter.mark * 100}%`;
      bar.append(mark);
    }
    node.append(bar);
  }
  return node;
}
