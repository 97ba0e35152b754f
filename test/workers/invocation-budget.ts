import { hubspotCounts, salesforceCounts } from "./sandboxes";

// What one invocation spends against Cloudflare's per-invocation limits, counted around the real
// bindings: D1 calls and statements (every statement of a db.batch() counted, the conservative
// reading of "1,000 queries per invocation"), the largest D1 result, KV operations, and the HTTP
// requests the sandboxes answered (each one a subrequest). See docs/report.md for the budget.

export interface InvocationCounts {
  /** Round trips to D1: each run/all/first/raw, and each batch() once. */
  d1Calls: number;
  /** Statements D1 executed: a batch counts every statement in it. */
  d1Statements: number;
  /** Statements in the largest single batch(). */
  largestBatch: number;
  /** The largest result one statement returned, as JSON bytes, and its row count. */
  largestResultBytes: number;
  largestResultRows: number;
  kvOps: number;
}

export function emptyCounts(): InvocationCounts {
  return {
    d1Calls: 0,
    d1Statements: 0,
    largestBatch: 0,
    largestResultBytes: 0,
    largestResultRows: 0,
    kvOps: 0,
  };
}

function noteResult(counts: InvocationCounts, result: unknown): void {
  const rows = Array.isArray(result)
    ? result
    : result && typeof result === "object" && "results" in result
      ? (result as { results: unknown[] }).results
      : result === null || result === undefined
        ? []
        : [result];
  const bytes = new TextEncoder().encode(JSON.stringify(rows ?? [])).length;
  if (bytes > counts.largestResultBytes) {
    counts.largestResultBytes = bytes;
    counts.largestResultRows = rows?.length ?? 0;
  }
}

const inner = new WeakMap<object, D1PreparedStatement>();

function countingStatement(stmt: D1PreparedStatement, counts: InvocationCounts) {
  const once =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      counts.d1Calls++;
      counts.d1Statements++;
      const result = await call(...args);
      noteResult(counts, result);
      return result;
    };
  const wrapped = {
    bind: (...values: unknown[]) => countingStatement(stmt.bind(...values), counts),
    first: once((col?: string) => (col === undefined ? stmt.first() : stmt.first(col))),
    run: once(() => stmt.run()),
    all: once(() => stmt.all()),
    raw: once(
      (options?: { columnNames?: boolean }): Promise<unknown[]> =>
        options?.columnNames ? stmt.raw({ columnNames: true }) : stmt.raw(),
    ),
  } as unknown as D1PreparedStatement;
  inner.set(wrapped, stmt);
  return wrapped;
}

/** The D1 binding as code sees it, counting what it asks of D1. */
export function countingD1(db: D1Database, counts: InvocationCounts): D1Database {
  return {
    prepare: (sql: string) => countingStatement(db.prepare(sql), counts),
    batch: async (statements: D1PreparedStatement[]) => {
      counts.d1Calls++;
      counts.d1Statements += statements.length;
      counts.largestBatch = Math.max(counts.largestBatch, statements.length);
      const results = await db.batch(statements.map((s) => inner.get(s) ?? s));
      for (const r of results) noteResult(counts, r);
      return results;
    },
    exec: async (sql: string) => {
      counts.d1Calls++;
      counts.d1Statements += sql.split(";").filter((s) => s.trim()).length;
      return db.exec(sql);
    },
    withSession: () => {
      throw new Error("countingD1: sessions are not counted");
    },
    dump: () => db.dump(),
  } as unknown as D1Database;
}

/** The KV binding, counting every operation (each is a subrequest). */
export function countingKV(kv: KVNamespace, counts: InvocationCounts): KVNamespace {
  return new Proxy(kv, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        counts.kvOps++;
        return value.apply(target, args);
      };
    },
  });
}

/** Requests both sandboxes answered since the last call (read from their /__sandbox/counts). */
export async function sandboxRequests(): Promise<() => Promise<number>> {
  const total = async () => (await hubspotCounts()).total + (await salesforceCounts()).total;
  const before = await total();
  return async () => (await total()) - before;
}

/** Subrequests an invocation made: D1 round trips, KV operations and HTTP requests. */
export const subrequests = (counts: InvocationCounts, http: number) =>
  counts.d1Calls + counts.kvOps + http;
