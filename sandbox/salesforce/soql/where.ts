import type { Query, WhereClause } from "soql-parser-js";
import { SalesforceError } from "../errors";
import { normalizeId } from "../ids";
import type { ObjectDef } from "../schema";
import type { SfRecord, Store } from "../store";
import { type Literal, likeToRegExp, parseLiteral } from "./literals";
import {
  comparable,
  compareValues,
  type FieldPath,
  queryError,
  resolvePath,
  valueAt,
} from "./paths";

// soql-parser-js gives WHERE as a right-leaning chain with parenthesis counts on each
// condition. We flatten it back into tokens and parse those with SOQL's rules: NOT binds
// tightest, and AND and OR may not be mixed at one level without parentheses.

export type Predicate = (record: SfRecord) => boolean;

interface RawCondition {
  field?: string;
  fn?: unknown;
  operator: string;
  value?: string | string[];
  literalType?: string | string[];
  dateLiteralVariable?: number | number[];
  valueQuery?: Query;
  openParen?: number;
  closeParen?: number;
}

type Token = "(" | ")" | "AND" | "OR" | "NOT" | RawCondition;

export interface WhereContext {
  def: ObjectDef;
  soql: string;
  alias?: string;
  store: Store;
  /** Runs a semi-join subquery and returns the values of its one selected field. */
  subquery: (query: Query) => Set<string>;
}

export function compileWhere(where: WhereClause, ctx: WhereContext): Predicate {
  const tokens: Token[] = [];
  flatten(where, tokens);
  let pos = 0;
  const peek = () => tokens[pos];
  const fail = (token: string): never => {
    throw queryError("MALFORMED_QUERY", ctx.soql, token, `unexpected token: '${token}'`);
  };

  const expression = (): Predicate => {
    const parts = [unary()];
    let op: "AND" | "OR" | undefined;
    while (peek() === "AND" || peek() === "OR") {
      const next = tokens[pos++] as "AND" | "OR";
      if (op && op !== next) fail(next);
      op = next;
      parts.push(unary());
    }
    if (parts.length === 1) return parts[0]!;
    return op === "AND" ? (r) => parts.every((p) => p(r)) : (r) => parts.some((p) => p(r));
  };
  const unary = (): Predicate => {
    const token = tokens[pos++];
    if (token === "NOT") {
      const inner = unary();
      return (r) => !inner(r);
    }
    if (token === "(") {
      const inner = expression();
      if (tokens[pos++] !== ")") fail("(");
      return inner;
    }
    if (token === undefined || typeof token === "string") return fail(String(token ?? "WHERE"));
    return condition(token, ctx);
  };

  const predicate = expression();
  if (pos < tokens.length) fail(String(tokens[pos]));
  return predicate;
}

/**
 * `Field >= datetime` (or `>`) on the queried object's own datetime field, in a WHERE that only
 * ANDs its conditions: every matching row has that field at or after the bound, so rows can be
 * looked up from the store's sorted view (as Salesforce answers SystemModstamp and CreatedDate
 * ranges from its indexes) before the full filter runs.
 */
export function lowerBound(
  where: WhereClause,
  ctx: WhereContext,
): { field: string; from: number } | undefined {
  const tokens: Token[] = [];
  flatten(where, tokens);
  if (tokens.some((t) => t === "OR" || t === "NOT")) return undefined;
  let bound: { field: string; from: number } | undefined;
  for (const t of tokens) {
    if (
      typeof t === "string" ||
      !t.field ||
      t.valueQuery ||
      Array.isArray(t.value) ||
      (t.operator !== ">=" && t.operator !== ">")
    )
      continue;
    const path = resolvePath(ctx.def, t.field, ctx.soql, ctx.alias);
    if (path.rels.length > 0 || path.field.type !== "datetime") continue;
    const lit = parseLiteral(
      t.value ?? "",
      t.literalType as string,
      t.dateLiteralVariable as number,
    );
    if (lit.kind === "datetime" && Number.isFinite(lit.value) && (!bound || lit.value > bound.from))
      bound = { field: path.field.name, from: lit.value };
  }
  return bound;
}

function flatten(where: WhereClause | undefined, out: Token[]): void {
  if (!where) return;
  const left = where.left as RawCondition | { openParen?: number; closeParen?: number } | null;
  if (left) {
    for (let i = 0; i < (left.openParen ?? 0); i++) out.push("(");
    if ("operator" in left) out.push(left);
    for (let i = 0; i < (left.closeParen ?? 0); i++) out.push(")");
  }
  if ("operator" in where && where.operator) out.push(where.operator);
  if ("right" in where) flatten(where.right, out);
}

function condition(raw: RawCondition, ctx: WhereContext): Predicate {
  if (!raw.field) {
    throw new SalesforceError(
      400,
      "MALFORMED_QUERY",
      "functions in WHERE are not supported by this sandbox",
    );
  }
  const from = Math.max(0, ctx.soql.search(/\bWHERE\b/i));
  const path = resolvePath(ctx.def, raw.field, ctx.soql, ctx.alias, from);
  const op = raw.operator.toUpperCase();

  if (raw.valueQuery) {
    const values = ctx.subquery(raw.valueQuery);
    const has = (r: SfRecord) => {
      const v = comparable(path.field, valueAt(ctx.store, r, path));
      return v !== null && [...values].some((s) => comparable(path.field, s) === v);
    };
    return op === "NOT IN" ? (r) => !has(r) : has;
  }

  const rawValues = Array.isArray(raw.value) ? raw.value : [raw.value ?? ""];
  const types = Array.isArray(raw.literalType)
    ? raw.literalType
    : rawValues.map(() => raw.literalType as string);
  const ns = Array.isArray(raw.dateLiteralVariable)
    ? raw.dateLiteralVariable
    : rawValues.map(() => raw.dateLiteralVariable as number);
  const literals = rawValues.map((v, i) =>
    checkLiteral(path, parseLiteral(v, types[i], ns[i]), raw.field!, ctx.soql, from),
  );

  if (op === "LIKE") {
    const lit = literals[0];
    if (lit?.kind !== "string")
      throw queryError(
        "INVALID_QUERY_FILTER_OPERATOR",
        ctx.soql,
        raw.field,
        "invalid operator on field",
      );
    const re = likeToRegExp(lit.raw);
    return (r) => {
      const v = valueAt(ctx.store, r, path);
      return v !== null && re.test(String(v));
    };
  }
  if (op === "IN" || op === "NOT IN") {
    const any = (r: SfRecord) =>
      literals.some((lit) => test("=", path, valueAt(ctx.store, r, path), lit));
    return op === "IN" ? any : (r) => !any(r);
  }
  if (!["=", "!=", "<", "<=", ">", ">="].includes(op)) {
    throw queryError(
      "MALFORMED_QUERY",
      ctx.soql,
      raw.operator,
      `unexpected token: '${raw.operator}'`,
    );
  }
  const lit = literals[0]!;
  return (r) => test(op, path, valueAt(ctx.store, r, path), lit);
}

function test(op: string, path: FieldPath, value: unknown, lit: Literal): boolean {
  const field = path.field;
  const v = comparable(field, value as never);
  if (lit.kind === "null") return op === "=" ? v === null : op === "!=" ? v !== null : false;
  // Salesforce counts records with an empty field as "not equal" to any value.
  if (v === null) return op === "!=";
  if (lit.kind === "range") {
    const n = v as number;
    const inside = n >= lit.start && n < lit.end;
    switch (op) {
      case "=":
        return inside;
      case "!=":
        return !inside;
      case "<":
        return n < lit.start;
      case "<=":
        return n < lit.end;
      case ">":
        return n >= lit.end;
      default:
        return n >= lit.start;
    }
  }
  // Date and datetime literals already hold epoch ms; other literals compare like field values.
  const target =
    lit.kind === "date" || lit.kind === "datetime" ? lit.value : comparable(field, lit.value);
  if (target === null) return false;
  const c = compareValues(v, target);
  switch (op) {
    case "=":
      return c === 0;
    case "!=":
      return c !== 0;
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    default:
      return c >= 0;
  }
}

/** The literal must suit the field's type, with Salesforce's wording when it does not. */
function checkLiteral(
  path: FieldPath,
  lit: Literal,
  name: string,
  soql: string,
  from: number,
): Literal {
  const field = path.field;
  if (lit.kind === "null") return lit;
  const mismatch = (expected: string, quoted: boolean) =>
    queryError(
      "INVALID_FIELD",
      soql,
      name,
      `value of filter criterion for field '${field.name}' must be of type ${expected} and should ${quoted ? "" : "not "}be enclosed in quotes`,
      from,
    );
  switch (field.type) {
    case "id":
    case "reference":
      if (lit.kind !== "string") throw mismatch("id", true);
      if (!normalizeId(lit.value))
        throw queryError(
          "INVALID_QUERY_FILTER_OPERATOR",
          soql,
          name,
          `invalid ID field: ${lit.value}`,
          from,
        );
      return lit;
    case "date":
      if (lit.kind !== "date" && lit.kind !== "range") throw mismatch("date", false);
      return lit;
    case "datetime":
      if (lit.kind !== "datetime" && lit.kind !== "range") throw mismatch("dateTime", false);
      return lit;
    case "boolean":
      if (lit.kind !== "boolean") throw mismatch("boolean", false);
      return lit;
    case "double":
    case "int":
    case "currency":
    case "percent":
      if (lit.kind !== "number") throw mismatch("double", false);
      return lit;
    default:
      if (lit.kind !== "string") throw mismatch("string", true);
      return lit;
  }
}
