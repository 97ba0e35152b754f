import { describe, expect, it } from "vitest";
import { AdminApi, CliError } from "../../cli/api";
import { HELP } from "../../cli/main";
import { requirementLines, requirements } from "../../cli/requirements";
import type { Requirement } from "../../shared/contracts/requirements";

// Issue 18: `npm run admin -- requirements …` against a recorded admin API (the routes themselves
// are tested in test/workers/requirements.test.ts).

const sso: Requirement = {
  id: 3,
  title: "Single sign-on",
  status: "open",
  reach: 3,
  requests: 4,
  impact: 2,
  confidence: 0.8,
  effort: 8,
  score: 0.6,
  openAmount: 10_000,
  lostAmount: 25_000,
  shippedAt: null,
};

function recorded(answers: Record<string, unknown>) {
  const calls: { method: string; path: string; body?: unknown }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    const path = new URL(url).pathname + new URL(url).search;
    calls.push({
      method: init.method!,
      path,
      ...(init.body ? { body: JSON.parse(String(init.body)) } : {}),
    });
    const answer = answers[`${init.method} ${new URL(url).pathname}`];
    return answer instanceof Response ? answer : Response.json(answer);
  }) as typeof fetch;
  return { api: new AdminApi("http://worker.test", "t", fetchImpl), calls };
}

const io = () => {
  const lines: string[] = [];
  return { lines, io: { out: (l: string) => lines.push(l), tty: false, pollMs: 0 } };
};

describe("requirements command", () => {
  it("lists the pool ranked, with RICE and the money behind each, and is in --help", async () => {
    expect(HELP).toContain("requirements set <id>");
    expect(requirementLines([sso, { ...sso, id: 4, title: "Offline", score: null }])).toEqual([
      " 1. #3 Single sign-on [open]: RICE 0.6 (3 × 2 × 0.8 ÷ 8), 3 account(s), 4 request(s), open $10,000, lost $25,000",
      " 2. #4 Offline [open]: unscored, 3 account(s), 4 request(s), open $10,000, lost $25,000",
    ]);
    const { api, calls } = recorded({
      "GET /admin/requirements": { requirements: [sso], unassignedRequests: 2 },
    });
    const out = io();
    await requirements(api, ["list"], { top: "5" }, out.io);
    expect(calls).toEqual([{ method: "GET", path: "/admin/requirements?top=5" }]);
    expect(out.lines[1]).toBe("2 request(s) in no requirement: requirements unassigned");
  });

  it("groups, sets RICE and ships, saying how many Tasks went out", async () => {
    const { api, calls } = recorded({
      "POST /admin/requirements": sso,
      "PUT /admin/requirements/3": {
        requirement: { ...sso, status: "shipped" },
        notices: { sent: 2, alreadySent: 0, pending: 0, failed: 1 },
      },
    });
    const out = io();
    await requirements(
      api,
      ["group", "Single sign-on", "a0F000000000001", "a0F000000000002"],
      {},
      out.io,
    );
    await requirements(
      api,
      ["set", "3"],
      { impact: "2", confidence: "0.8", effort: "8", status: "shipped" },
      out.io,
    );
    expect(calls.map((c) => [c.method, c.path, c.body])).toEqual([
      [
        "POST",
        "/admin/requirements",
        { title: "Single sign-on", requestIds: ["a0F000000000001", "a0F000000000002"] },
      ],
      [
        "PUT",
        "/admin/requirements/3",
        { impact: 2, confidence: 0.8, effort: 8, status: "shipped" },
      ],
    ]);
    expect(out.lines.at(-1)).toBe(
      "shipped: 2 Task(s) sent to deal owners, 0 sent before, 1 failed (set the status again to retry)",
    );
    await expect(requirements(api, ["set", "3"], { effort: "lots" }, out.io)).rejects.toThrow(
      CliError,
    );
    await expect(requirements(api, ["merge", "4"], {}, out.io)).rejects.toThrow(/--into/);
  });
});
