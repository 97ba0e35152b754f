import type { IdFactory } from "./ids";
import type { OutputRecord } from "./soql/run";

// Open query cursors behind nextRecordsUrl. Like Salesforce's, a cursor holds the result as
// it was when the query ran, and lapses after 15 minutes without use.

const IDLE_MS = 15 * 60_000;

interface Cursor {
  records: OutputRecord[];
  totalSize: number;
  batchSize: number;
  touched: number;
}

export class QueryCursors {
  private cursors = new Map<string, Cursor>();

  constructor(private readonly ids: IdFactory) {}

  open(records: OutputRecord[], totalSize: number, batchSize: number): string {
    this.sweep();
    const id = this.ids.make("01g");
    this.cursors.set(id, { records, totalSize, batchSize, touched: Date.now() });
    return id;
  }

  get(id: string): Cursor | undefined {
    this.sweep();
    const cursor = this.cursors.get(id);
    if (cursor) cursor.touched = Date.now();
    return cursor;
  }

  clear(): void {
    this.cursors.clear();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, c] of this.cursors) if (now - c.touched > IDLE_MS) this.cursors.delete(id);
  }
}
