// Hand-written SVG charts for the admin dashboard: no library, no external URL.
const SVG = "http://www.w3.org/2000/svg";

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs))
    if (v !== undefined && v !== null) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function empty(container, message) {
  container.replaceChildren();
  const p = document.createElement("p");
  p.className = "empty";
  p.textContent = message;
  container.append(p);
}

/**
 * Horizontal bars. items: [{ label, value, display?, cls? }]; the widest bar is the largest value.
 * Each bar carries data-label and data-value so tests and people can read what is drawn.
 */
export function barChart(
  container,
  items,
  { name, emptyText = "No data yet", labelWidth = 170, max } = {},
) {
  if (!items.length) return empty(container, emptyText);
  const width = 560;
  const row = 26;
  const height = items.length * row + 8;
  const top = max ?? Math.max(...items.map((i) => i.value), 1);
  const room = width - labelWidth - 70;
  const svg = el("svg", {
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": name,
    "data-chart": name,
  });
  items.forEach((item, i) => {
    const y = 4 + i * row;
    const w = top > 0 ? Math.max(item.value > 0 ? 2 : 0, (item.value / top) * room) : 0;
    const g = el("g", { "data-bar": "", "data-label": item.label, "data-value": item.value });
    g.append(
      el(
        "text",
        { x: labelWidth - 8, y: y + 16, "text-anchor": "end" },
        truncate(item.label, Math.floor(labelWidth / 6.2)),
      ),
      el("rect", {
        class: `bar ${item.cls ?? ""}`,
        x: labelWidth,
        y: y + 3,
        width: w,
        height: row - 8,
        rx: 3,
      }),
      el(
        "text",
        { class: "value", x: labelWidth + w + 6, y: y + 16 },
        item.display ?? String(item.value),
      ),
    );
    g.append(el("title", {}, `${item.label}: ${item.display ?? item.value}`));
    svg.append(g);
  });
  container.replaceChildren(svg);
}

/** Lines over labelled points. series: [{ name, values: (number|null)[], cls? }]; gaps where null. */
export function lineChart(
  container,
  labels,
  series,
  { name, emptyText = "No data yet", unit = "" } = {},
) {
  const all = series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
  if (!labels.length || !all.length) return empty(container, emptyText);
  const width = 560;
  const height = 220;
  const pad = { left: 44, right: 12, top: 12, bottom: 36 };
  const top = niceMax(Math.max(...all));
  const x = (i) =>
    pad.left +
    (labels.length === 1
      ? (width - pad.left - pad.right) / 2
      : (i * (width - pad.left - pad.right)) / (labels.length - 1));
  const y = (v) => pad.top + (1 - v / top) * (height - pad.top - pad.bottom);
  const svg = el("svg", {
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": name,
    "data-chart": name,
    "data-unit": unit,
  });
  for (let t = 0; t <= 4; t++) {
    const v = (top * t) / 4;
    svg.append(
      el("line", { class: "axis", x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v) }),
    );
    svg.append(
      el(
        "text",
        { class: "value", x: pad.left - 6, y: y(v) + 4, "text-anchor": "end" },
        `${round(v)}${unit}`,
      ),
    );
  }
  const every = Math.ceil(labels.length / 8);
  labels.forEach((label, i) => {
    if (i % every === 0 || i === labels.length - 1)
      svg.append(
        el("text", { class: "value", x: x(i), y: height - 14, "text-anchor": "middle" }, label),
      );
  });
  series.forEach((s, si) => {
    let d = "";
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) return;
      d += `${d && s.values[i - 1] !== null && s.values[i - 1] !== undefined ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
      const dot = el("circle", {
        cx: x(i),
        cy: y(v),
        r: 3,
        class: "bar",
        "data-point": "",
        "data-series": s.name,
        "data-label": labels[i],
        "data-value": v,
      });
      dot.append(el("title", {}, `${s.name} ${labels[i]}: ${round(v)}${unit}`));
      svg.append(dot);
    });
    svg.insertBefore(el("path", { class: `line ${s.cls ?? ""}`, d: d.trim() }), svg.firstChild);
    svg.append(
      el("text", { class: "value", x: pad.left + 8 + si * 90, y: height - 2 }, `— ${s.name}`),
    );
  });
  container.replaceChildren(svg);
}

function niceMax(v) {
  if (v <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((m) => m >= v) ?? v;
}

const round = (v) => (Math.abs(v) >= 10 ? Math.round(v) : Math.round(v * 10) / 10);
const truncate = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
