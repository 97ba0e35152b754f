import type { Query } from "soql-parser-js";
import { SalesforceError } from "../errors";
import type { SfRecord, SfValue, Store } from "../store";
import { type Aggregate, compile, type Plan, parseSoql } from "./compile";
import { comparable, compareValues, type FieldPath, follow, valueAt } from "./paths";

// Runs a SOQL query against the store and shapes rows the way the REST API returns them.

export type OutputRecord = Record<string, unknown>;

export interface SoqlResult {
  totalSize: number;
  records: OutputRecord[];
}

export interface RunOptions {
  includeDeleted: boolean;
  version: string;
}

export function runSoql(soql: string, store: Store, opts: RunOptions): SoqlResult {
  return execute(parseSoql(soql), soql, store, opts);
}

function execute(query: Query, soql: string, store: Store, opts: RunOptions): SoqlResult {
  const plan = compile(query, soql, store, (inner) => semiJoin(inner, soql, store, opts));
  if (plan.aggregates.length > 0 || plan.groupBy.length > 0) {
    const all = candidates(plan, store, opts);
    const out = window(
      aggregate(sortRows(plan.where ? all.filter(plan.where) : all, plan, store), plan, store),
      plan,
    );
    return { totalSize: out.length, records: out };
  }
  const rows = select(plan, store, opts);
  if (plan.countOnly) return { totalSize: rows.length, records: [] };
  return { totalSize: rows.length, records: rows.map((r) => project(store, plan, r, opts)) };
}

/** Rows of the filtered, sorted and windowed plan. */
function select(
  plan: Plan,
  store: Store,
  opts: RunOptions,
  rows = candidates(plan, store, opts),
): SfRecord[] {
  return window(sortRows(plan.where ? rows.filter(plan.where) : rows, plan, store), plan);
}

/**
 * Every row of the object, or only those at or after the plan's datetime bound (the filter still
 * runs on them).
 */
function candidates(plan: Plan, store: Store, opts: RunOptions): SfRecord[] {
  if (!plan.since) return store.list(plan.def.name, opts.includeDeleted);
  return store.listSince(plan.def.name, plan.since.field, plan.since.from, opts.includeDeleted);
}

/** `Id IN (SELECT OpportunityId FROM ...)`: the inner query's one field, as a set. */
function semiJoin(inner: Query, soql: string, store: Store, opts: RunOptions): Set<string> {
  const plan = compile(inner, soql, store, (q) => semiJoin(q, soql, store, opts));
  const path = plan.fields[0];
  if (!path || plan.fields.length !== 1) {
    throw new SalesforceError(
      400,
      "MALFORMED_QUERY",
      "semi join sub-selects can only select one field",
    );
  }
  const values = new Set<string>();
  for (const row of select(plan, store, opts)) {
    const v = valueAt(store, row, path);
    if (v !== null) values.add(String(v));
  }
  return values;
}

function window<T>(rows: T[], plan: Plan): T[] {
  const end = plan.limit === undefined ? undefined : plan.offset + plan.limit;
  return rows.slice(plan.offset, end);
}

function sortRows(rows: SfRecord[], plan: Plan, store: Store): SfRecord[] {
  if (plan.orderBy.length === 0) return rows;
  return [...rows].sort((a, b) => {
    for (const o of plan.orderBy) {
      const va = comparable(o.path.field, valueAt(store, a, o.path));
      const vb = comparable(o.path.field, valueAt(store, b, o.path));
      if (va === vb) continue;
      if (va === null) return o.nullsFirst ? -1 : 1;
      if (vb === null) return o.nullsFirst ? 1 : -1;
      const c = compareValues(va, vb);
      return o.desc ? -c : c;
    }
    return 0;
  });
}

function url(version: string, type: string, id: SfValue | undefined): string {
  return `/services/data/${version}/sobjects/${type}/${String(id)}`;
}

/** A row with `attributes`, selected fields, and nested objects for relationship paths. */
function project(store: Store, plan: Plan, record: SfRecord, opts: RunOptions): OutputRecord {
  const version = opts.version;
  const out: OutputRecord = {
    attributes: { type: plan.def.name, url: url(version, plan.def.name, record.Id) },
  };
  for (const path of plan.fields) {
    let target = out;
    let source: SfRecord | null = record;
    for (const rel of path.rels) {
      const relName = rel.relationshipName!;
      source = follow(store, source!, [rel]);
      if (!source) {
        if (!(relName in target)) target[relName] = null;
        target = {};
        break;
      }
      const existing = target[relName];
      if (existing && typeof existing === "object") {
        target = existing as OutputRecord;
      } else {
        const type = rel.referenceTo!;
        const nested: OutputRecord = { attributes: { type, url: url(version, type, source.Id) } };
        target[relName] = nested;
        target = nested;
      }
    }
    if (source) target[path.field.name] = source[path.field.name] ?? null;
  }
  for (const child of plan.children) {
    const related = store
      .list(child.plan.def.name, opts.includeDeleted)
      .filter((r) => r[child.field] === record.Id);
    const rows = select(child.plan, store, opts, related);
    // Salesforce gives null, not an empty list, when a parent has no child rows.
    out[child.name] = rows.length
      ? {
          totalSize: rows.length,
          done: true,
          records: rows.map((r) => project(store, child.plan, r, opts)),
        }
      : null;
  }
  return out;
}

function aggregate(rows: SfRecord[], plan: Plan, store: Store): OutputRecord[] {
  const groups = new Map<string, SfRecord[]>();
  for (const row of rows) {
    const key = JSON.stringify(
      plan.groupBy.map((p) => comparable(p.field, valueAt(store, row, p))),
    );
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  if (plan.groupBy.length === 0 && groups.size === 0) groups.set("[]", []);
  return [...groups.values()].map((group) => {
    const out: OutputRecord = { attributes: { type: "AggregateResult" } };
    for (const path of plan.groupBy)
      out[path.field.name] = group[0] ? valueAt(store, group[0], path) : null;
    for (const agg of plan.aggregates) out[agg.name] = aggregateValue(agg, group, store);
    return out;
  });
}

function aggregateValue(agg: Aggregate, rows: SfRecord[], store: Store): SfValue {
  const path = agg.path as FieldPath;
  const values = rows
    .map((r) => valueAt(store, r, path))
    .filter((v): v is Exclude<SfValue, null> => v !== null);
  switch (agg.fn) {
    case "COUNT":
      return values.length;
    case "COUNT_DISTINCT":
      return new Set(values.map((v) => comparable(path.field, v))).size;
    case "SUM":
      return values.length ? values.reduce((s: number, v) => s + Number(v), 0) : null;
    case "AVG":
      return values.length
        ? values.reduce((s: number, v) => s + Number(v), 0) / values.length
        : null;
    default: {
      if (values.length === 0) return null;
      const sorted = [...values].sort((a, b) =>
        compareValues(comparable(path.field, a)!, comparable(path.field, b)!),
      );
      return (agg.fn === "MIN" ? sorted[0] : sorted[sorted.length - 1]) ?? null;
    }
  }
}
