import { SalesforceError } from "../errors";

// SOQL literal values as soql-parser-js hands them over (raw text plus a literal type),
// turned into values the evaluator compares. Date literals become [start, end) ranges in UTC.

export type Literal =
  | { kind: "string"; value: string; raw: string }
  | { kind: "number"; value: number }
  | { kind: "boolean"; value: boolean }
  | { kind: "null" }
  | { kind: "date"; value: number }
  | { kind: "datetime"; value: number }
  | { kind: "range"; start: number; end: number; name: string };

const DAY = 86_400_000;

export function parseLiteral(raw: string, literalType: string | undefined, n?: number): Literal {
  switch (literalType) {
    case "STRING":
      return { kind: "string", value: unescapeSoql(raw.slice(1, -1)), raw: raw.slice(1, -1) };
    case "INTEGER":
    case "DECIMAL":
    case "INTEGER_WITH_CURRENCY_PREFIX":
    case "DECIMAL_WITH_CURRENCY_PREFIX":
      return { kind: "number", value: Number(raw.replace(/^[A-Z]{3}/, "")) };
    case "BOOLEAN":
      return { kind: "boolean", value: raw.toUpperCase() === "TRUE" };
    case "NULL":
      return { kind: "null" };
    case "DATE":
      return { kind: "date", value: Date.parse(`${raw}T00:00:00Z`) };
    case "DATETIME":
      return { kind: "datetime", value: Date.parse(raw) };
    case "DATE_LITERAL":
    case "DATE_N_LITERAL":
      return {
        kind: "range",
        ...dateLiteralRange(raw.split(":")[0]!.toUpperCase(), n ?? 0),
        name: raw,
      };
    default:
      throw new SalesforceError(400, "MALFORMED_QUERY", `unexpected token: ${raw}`);
  }
}

const ESCAPES: Record<string, string> = {
  n: "\n",
  r: "\r",
  t: "\t",
  b: "\b",
  f: "\f",
  '"': '"',
  "'": "'",
  "\\": "\\",
  _: "_",
  "%": "%",
};

/** SOQL string escapes; any other backslash sequence is a malformed query, as on Salesforce. */
export function unescapeSoql(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/gs, (seq: string, code: string) => {
    if (code.length === 5) return String.fromCharCode(parseInt(code.slice(1), 16));
    const out = ESCAPES[code];
    if (out === undefined) {
      throw new SalesforceError(
        400,
        "MALFORMED_QUERY",
        `Invalid string literal '${text}'. Illegal character sequence '${seq}' in string literal.`,
      );
    }
    return out;
  });
}

/** LIKE pattern → anchored, case-insensitive regex; \% and \_ stay literal. */
export function likeToRegExp(rawInner: string): RegExp {
  let source = "";
  for (let i = 0; i < rawInner.length; i++) {
    const ch = rawInner.charAt(i);
    if (ch === "\\") {
      const next = rawInner.slice(i, i + 2);
      source += escapeRegExp(unescapeSoql(next));
      i += 1;
    } else if (ch === "%") source += "[\\s\\S]*";
    else if (ch === "_") source += "[\\s\\S]";
    else source += escapeRegExp(ch);
  }
  return new RegExp(`^${source}$`, "i");
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

type Unit = "DAY" | "WEEK" | "MONTH" | "QUARTER" | "YEAR";

function startOf(ms: number, unit: Unit): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (unit) {
    case "DAY":
      return Date.UTC(y, m, d.getUTCDate());
    case "WEEK": // weeks start on Sunday in the default (en_US) locale
      return Date.UTC(y, m, d.getUTCDate() - d.getUTCDay());
    case "MONTH":
      return Date.UTC(y, m, 1);
    case "QUARTER":
      return Date.UTC(y, m - (m % 3), 1);
    case "YEAR":
      return Date.UTC(y, 0, 1);
  }
}

function add(ms: number, unit: Unit, k: number): number {
  if (unit === "DAY") return ms + k * DAY;
  if (unit === "WEEK") return ms + k * 7 * DAY;
  const d = new Date(ms);
  const months = unit === "MONTH" ? k : unit === "QUARTER" ? 3 * k : 12 * k;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate());
}

function toUnit(word: string): Unit | undefined {
  const base = word.replace(/^FISCAL_/, "").replace(/S$/, "");
  return ["DAY", "WEEK", "MONTH", "QUARTER", "YEAR"].includes(base) ? (base as Unit) : undefined;
}

/** The [start, end) a date literal covers, in the org's time zone (GMT here). */
export function dateLiteralRange(
  name: string,
  n: number,
  now = Date.now(),
): { start: number; end: number } {
  const today = startOf(now, "DAY");
  const fixed: Record<string, [number, number]> = {
    TODAY: [today, today + DAY],
    YESTERDAY: [today - DAY, today],
    TOMORROW: [today + DAY, today + 2 * DAY],
    LAST_90_DAYS: [today - 90 * DAY, today + DAY],
    NEXT_90_DAYS: [today + DAY, today + 91 * DAY],
  };
  const hit = fixed[name];
  if (hit) return { start: hit[0], end: hit[1] };

  let m = /^(LAST|THIS|NEXT)_(\w+)$/.exec(name);
  const single = m && !m[2]!.startsWith("N_") ? toUnit(m[2]!) : undefined;
  if (m && single) {
    const start = add(startOf(now, single), single, m[1] === "LAST" ? -1 : m[1] === "NEXT" ? 1 : 0);
    return { start, end: add(start, single, 1) };
  }
  m = /^(LAST|NEXT)_N_(\w+)$/.exec(name);
  const unit = m ? toUnit(m[2]!) : undefined;
  if (m && unit) {
    if (unit === "DAY") {
      // LAST_N_DAYS includes today; NEXT_N_DAYS starts tomorrow.
      return m[1] === "LAST"
        ? { start: today - n * DAY, end: today + DAY }
        : { start: today + DAY, end: today + (n + 1) * DAY };
    }
    const current = startOf(now, unit);
    return m[1] === "LAST"
      ? { start: add(current, unit, -n), end: current }
      : { start: add(current, unit, 1), end: add(current, unit, n + 1) };
  }
  m = /^N_(\w+)_AGO$/.exec(name);
  const agoUnit = m ? toUnit(m[1]!) : undefined;
  if (agoUnit) {
    const start = add(startOf(now, agoUnit), agoUnit, -n);
    return { start, end: add(start, agoUnit, 1) };
  }
  throw new SalesforceError(400, "MALFORMED_QUERY", `unexpected token: ${name}`);
}
