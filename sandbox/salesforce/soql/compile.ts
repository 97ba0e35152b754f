import type { FieldType, OrderByClause, Query, Subquery } from "soql-parser-js";
import * as soqlParser from "soql-parser-js";
import { SalesforceError } from "../errors";
import { CHILD_RELATIONSHIPS, findObject, type ObjectDef } from "../schema";
import type { Store } from "../store";
import { type FieldPath, queryError, resolvePath } from "./paths";
import { compileWhere, lowerBound, type Predicate } from "./where";

// SOQL text → a checked plan: the object, selected paths, filter, order and window.

// soql-parser-js ships CommonJS and ESM builds: Node's loader exposes the CJS one under
// `default`, Vite's runner (vitest global setup) the ESM one with named exports.
const { parseQuery } =
  (soqlParser as unknown as { default?: typeof soqlParser }).default ?? soqlParser;

export interface Aggregate {
  fn: string;
  path?: FieldPath;
  name: string;
}

export interface ChildPlan {
  name: string;
  /** The child's lookup to the parent, e.g. OpportunityHistory.OpportunityId. */
  field: string;
  plan: Plan;
}

export interface Plan {
  def: ObjectDef;
  fields: FieldPath[];
  children: ChildPlan[];
  countOnly: boolean;
  aggregates: Aggregate[];
  groupBy: FieldPath[];
  where?: Predicate;
  /**
   * A bound every matching row meets on one datetime field: rows come from the store's sorted view.
   */
  since?: { field: string; from: number };
  orderBy: { path: FieldPath; desc: boolean; nullsFirst: boolean }[];
  limit?: number;
  offset: number;
}

const AGGREGATES = new Set(["COUNT", "COUNT_DISTINCT", "SUM", "AVG", "MIN", "MAX"]);
export const MAX_OFFSET = 2000;

export function parseSoql(soql: string): Query {
  try {
    return parseQuery(soql);
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    const found = /found --> '(.*?)' <--/.exec(text)?.[1] ?? /->(.)<-/.exec(text)?.[1];
    if (found) throw queryError("MALFORMED_QUERY", soql, found, `unexpected token: '${found}'`);
    throw new SalesforceError(400, "MALFORMED_QUERY", `unexpected token: ${text}`);
  }
}

export function compile(
  query: Query,
  soql: string,
  store: Store,
  subquery: (q: Query) => Set<string>,
): Plan {
  const def = query.sObject ? findObject(query.sObject) : undefined;
  if (!def) {
    const name = query.sObject ?? "FROM";
    throw queryError(
      "INVALID_TYPE",
      soql,
      name,
      `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  const alias = query.sObjectAlias;
  const resolve = (text: string) => resolvePath(def, text, soql, alias);
  const plan: Plan = {
    def,
    fields: [],
    children: [],
    countOnly: false,
    aggregates: [],
    groupBy: [],
    orderBy: [],
    offset: 0,
  };

  for (const item of query.fields ?? []) {
    if (item.type === "FieldSubquery")
      plan.children.push(childPlan(def, item.subquery, soql, store, subquery));
    else selectItem(item, plan, soql, resolve, query.limit);
  }
  if (plan.countOnly && (plan.fields.length > 0 || plan.aggregates.length > 0)) {
    throw queryError("MALFORMED_QUERY", soql, "COUNT", "unexpected token: 'COUNT'");
  }
  const groupBy = query.groupBy ? [query.groupBy].flat() : [];
  for (const g of groupBy) {
    if (!("field" in g))
      throw new SalesforceError(
        400,
        "MALFORMED_QUERY",
        "GROUP BY functions are not supported by this sandbox",
      );
    plan.groupBy.push(resolve(g.field));
  }
  if (query.having)
    throw new SalesforceError(400, "MALFORMED_QUERY", "HAVING is not supported by this sandbox");
  if (plan.aggregates.length > 0 || plan.groupBy.length > 0) {
    const grouped = new Set(plan.groupBy.map((p) => key(p)));
    const loose = plan.fields.find((p) => !grouped.has(key(p)));
    if (loose) {
      throw queryError(
        "MALFORMED_QUERY",
        soql,
        loose.field.name,
        `Field must be grouped or aggregated: ${loose.field.name}`,
      );
    }
  }
  if (query.where) {
    plan.where = compileWhere(query.where, { def, soql, alias, store, subquery });
    plan.since = lowerBound(query.where, { def, soql, alias, store, subquery });
  }
  for (const o of query.orderBy ? [query.orderBy].flat() : [])
    plan.orderBy.push(orderItem(o, resolve));
  plan.limit = query.limit;
  plan.offset = query.offset ?? 0;
  if (plan.offset > MAX_OFFSET) {
    throw new SalesforceError(
      400,
      "NUMBER_OUTSIDE_VALID_RANGE",
      `Maximum SOQL offset allowed is ${MAX_OFFSET}`,
    );
  }
  return plan;
}

const key = (p: FieldPath) => [...p.rels.map((r) => r.name), p.field.name].join(".");

function selectItem(
  item: FieldType,
  plan: Plan,
  soql: string,
  resolve: (text: string) => FieldPath,
  limit?: number,
): void {
  if (item.type === "Field") {
    plan.fields.push(resolve(item.field));
  } else if (item.type === "FieldRelationship") {
    plan.fields.push(resolve([...item.relationships, item.field].join(".")));
  } else if (item.type === "FieldFunctionExpression") {
    const fn = item.functionName.toUpperCase();
    const param = item.parameters[0];
    if (fn === "COUNT" && item.parameters.length === 0) {
      plan.countOnly = true;
    } else if (fn === "FIELDS" && typeof param === "string") {
      const scope = param.toUpperCase();
      if (scope !== "STANDARD" && (limit === undefined || limit > 200)) {
        throw queryError(
          "MALFORMED_QUERY",
          soql,
          "FIELDS",
          "The SOQL FIELDS function must have a LIMIT of at most 200",
        );
      }
      for (const f of plan.def.fields) {
        const custom = f.name.endsWith("__c");
        if (scope === "ALL" || (scope === "CUSTOM") === custom)
          plan.fields.push({ rels: [], field: f });
      }
    } else if (AGGREGATES.has(fn) && typeof param === "string") {
      const name = item.alias ?? `expr${plan.aggregates.length}`;
      plan.aggregates.push({ fn, path: resolve(param), name });
    } else {
      throw queryError(
        "MALFORMED_QUERY",
        soql,
        item.functionName,
        `unexpected token: '${item.functionName}'`,
      );
    }
  } else {
    throw new SalesforceError(400, "MALFORMED_QUERY", "TYPEOF is not supported by this sandbox");
  }
}

function childPlan(
  parent: ObjectDef,
  sub: Subquery,
  soql: string,
  store: Store,
  subquery: (q: Query) => Set<string>,
): ChildPlan {
  const rel = (CHILD_RELATIONSHIPS[parent.name] ?? []).find(
    (r) => r.name.toLowerCase() === sub.relationshipName.toLowerCase(),
  );
  if (!rel) {
    throw queryError(
      "INVALID_TYPE",
      soql,
      sub.relationshipName,
      `Didn't understand relationship '${sub.relationshipName}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  return {
    name: rel.name,
    field: rel.field,
    plan: compile({ ...sub, sObject: rel.child }, soql, store, subquery),
  };
}

function orderItem(
  o: OrderByClause,
  resolve: (text: string) => FieldPath,
): Plan["orderBy"][number] {
  if (!("field" in o))
    throw new SalesforceError(
      400,
      "MALFORMED_QUERY",
      "ORDER BY functions are not supported by this sandbox",
    );
  const desc = o.order === "DESC";
  // Salesforce sorts nulls first by default; DESC flips that unless NULLS is given.
  const nullsFirst = o.nulls ? o.nulls === "FIRST" : !desc;
  return { path: resolve(o.field), desc, nullsFirst };
}
