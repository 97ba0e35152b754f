import { SalesforceError } from "../errors";
import { API, type SfApp, type SfContext } from "../http";
import { type OutputRecord, runSoql } from "../soql/run";
import { DEFAULT_BATCH_SIZE, MIN_BATCH_SIZE, type SandboxState } from "../state";

// SOQL over REST: /query and /queryAll, paged through nextRecordsUrl locators "<cursor>-<offset>".

export function queryRoutes(app: SfApp, state: SandboxState): void {
  for (const resource of ["query", "queryAll"] as const) {
    app.get(`${API}/${resource}`, (c) => {
      const soql = c.req.query("q");
      if (!soql)
        throw new SalesforceError(400, "MALFORMED_QUERY", "A query string has to be specified");
      const version = c.get("version");
      const result = runSoql(soql, state.store, {
        includeDeleted: resource === "queryAll",
        version,
      });
      const batchSize = requestedBatchSize(c, state.batchSize);
      if (result.records.length <= batchSize) {
        return c.json({ totalSize: result.totalSize, done: true, records: result.records });
      }
      const cursor = state.cursors.open(result.records, result.totalSize, batchSize);
      return c.json(
        page(version, resource, cursor, result.records, result.totalSize, 0, batchSize),
      );
    });

    app.get(`${API}/${resource}/:locator`, (c) => {
      const match = /^(.+)-(\d+)$/.exec(c.req.param("locator"));
      const cursor = match ? state.cursors.get(match[1]!) : undefined;
      if (!match || !cursor)
        throw new SalesforceError(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
      const batchSize = requestedBatchSize(c, cursor.batchSize);
      return c.json(
        page(
          c.get("version"),
          resource,
          match[1]!,
          cursor.records,
          cursor.totalSize,
          Number(match[2]),
          batchSize,
        ),
      );
    });
  }
}

function page(
  version: string,
  resource: string,
  cursor: string,
  records: OutputRecord[],
  totalSize: number,
  offset: number,
  batchSize: number,
): Record<string, unknown> {
  const next = offset + batchSize;
  const done = next >= records.length;
  return {
    totalSize,
    done,
    ...(done ? {} : { nextRecordsUrl: `/services/data/${version}/${resource}/${cursor}-${next}` }),
    records: records.slice(offset, next),
  };
}

/** Sforce-Query-Options: batchSize=N is a hint Salesforce keeps within 200..2000. */
function requestedBatchSize(c: SfContext, fallback: number): number {
  const match = /batchSize\s*=\s*(\d+)/i.exec(c.req.header("Sforce-Query-Options") ?? "");
  if (!match) return fallback;
  return Math.min(DEFAULT_BATCH_SIZE, Math.max(MIN_BATCH_SIZE, Number(match[1])));
}
