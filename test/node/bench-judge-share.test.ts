import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { judgeShareOf } from "../../bench/handoff-burst";

// The bench's judging share: read from the Worker's handoff_done lines, after a byte offset (the
// lines of earlier bursts do not count).
describe("judgeShareOf", () => {
  it("sums judging time over batch time of the lines after the offset, skipping the rest", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "judge-share-")), "worker.log");
    const done = (judgeMs: number, ms: number) =>
      `${JSON.stringify({ level: "info", event: "handoff_done", contacts: 10, judgeMs, ms })}\n`;
    writeFileSync(file, done(500, 1000));
    const from = Buffer.byteLength(done(500, 1000));
    appendFileSync(file, "[wrangler:info] POST /webhooks/hubspot 200 OK (3ms)\n");
    appendFileSync(file, done(20, 1000));
    appendFileSync(file, `{"level":"info","event":"webhook_accepted","events":100}\n`);
    appendFileSync(file, done(30, 1500));
    appendFileSync(file, '{"event":"handoff_done", "judgeMs": 1, cut off\n');
    expect(judgeShareOf(file, from)).toBe(0.02);
    expect(judgeShareOf(file, Buffer.byteLength(done(500, 1000)) * 10)).toBeNull();
  });
});
