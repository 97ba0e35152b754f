import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AdminApi, CliError } from "../../cli/api";
import { HELP } from "../../cli/main";
import { config, quotas, reps } from "../../cli/quotas";

// Issue 18 (B): `quotas`, `reps` and `config` send the admin API's shapes and print its answers.
// The routes themselves are tested in the Worker (test/workers/admin-quotas.test.ts); here a fetch
// stand-in records each request and answers as those routes do.

const QUOTAS = {
  reps: [
    {
      rep: "avery.chen@leadbridge.sandbox",
      name: "Avery Chen",
      quotas: [
        { month: "*", amount: 50_000 },
        { month: "2026-04", amount: 65_000 },
      ],
    },
  ],
};

function recorder(answer: unknown, status = 200) {
  const requests: { method: string; path: string; body: unknown }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    requests.push({
      method: init.method!,
      path: new URL(url).pathname,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    });
    return new Response(JSON.stringify(answer), { status });
  }) as typeof fetch;
  const lines: string[] = [];
  const io = { out: (l: string) => lines.push(l), tty: false, pollMs: 0 };
  return { api: new AdminApi("http://worker.test", "t", fetchImpl), requests, lines, io };
}

describe("npm run admin -- quotas | reps | config", () => {
  it("sets quotas from the file `quotas get --json` prints, and lists them by rep", async () => {
    const get = recorder(QUOTAS);
    await quotas(get.api, ["get"], { json: true }, get.io);
    const file = path.join(mkdtempSync(path.join(tmpdir(), "quotas-")), "quotas.json");
    writeFileSync(file, get.lines.join("\n"));

    const set = recorder(QUOTAS);
    await quotas(set.api, ["set", file], {}, set.io);
    expect(set.requests).toEqual([{ method: "PUT", path: "/admin/quotas", body: QUOTAS }]);
    expect(set.lines).toEqual([
      "replaced the quotas of 1 rep(s); now in force:",
      "  Avery Chen (avery.chen@leadbridge.sandbox): standing 50,000, 2026-04 65,000",
    ]);
    // A bare list of reps is the same request.
    writeFileSync(file, JSON.stringify(QUOTAS.reps));
    const bare = recorder(QUOTAS);
    await quotas(bare.api, ["set", file], {}, bare.io);
    expect(bare.requests[0]!.body).toEqual(QUOTAS);
    await expect(quotas(bare.api, ["set"], {}, bare.io)).rejects.toThrow(CliError);
  });

  it("prints a refusal field by field", async () => {
    const refused = recorder(
      {
        error: {
          code: "validation",
          message:
            "Nothing saved: reps[0].rep: 005000000000ZZZ is not a User in this Salesforce org",
          requestId: "r",
          fields: [{ index: null, field: "reps[0].rep", problem: "005000000000ZZZ is not a User" }],
        },
      },
      400,
    );
    const file = path.join(mkdtempSync(path.join(tmpdir(), "quotas-")), "q.json");
    writeFileSync(file, JSON.stringify({ reps: [{ rep: "005000000000ZZZ", quotas: [] }] }));
    await expect(quotas(refused.api, ["set", file], {}, refused.io)).rejects.toThrow(
      /→ 400: Nothing saved: reps\[0\]\.rep: .*\n {2}reps\[0\]\.rep: 005000000000ZZZ is not a User/,
    );
  });

  it("sets and drops a rep's start date, and sets the report settings", async () => {
    const rep = {
      userId: "005000000000AAAAAA",
      username: "avery.chen@leadbridge.sandbox",
      name: "Avery Chen",
      active: true,
      salesforceStartDate: "2026-02-01",
      startDateOverride: "2026-03-01",
      startDate: "2026-03-01",
    };
    const set = recorder(rep);
    await reps(set.api, ["set-start", rep.userId, "2026-03-01"], {}, set.io);
    await reps(set.api, ["set-start", rep.userId, "none"], {}, set.io);
    expect(set.requests).toEqual([
      { method: "PUT", path: `/admin/reps/${rep.userId}`, body: { startDate: "2026-03-01" } },
      { method: "PUT", path: `/admin/reps/${rep.userId}`, body: { startDate: null } },
    ]);
    expect(set.lines[0]).toBe(
      "Avery Chen 005000000000AAAAAA: start 2026-03-01 (set here; Salesforce says 2026-02-01)",
    );
    await expect(reps(set.api, ["set-start", rep.userId, "March"], {}, set.io)).rejects.toThrow(
      CliError,
    );

    const cfg = recorder({ rampQuotaShare: 0.7, staleAfterDays: 7 });
    await config(cfg.api, ["set", "rampQuotaShare=0.7", "staleAfterDays=7"], {}, cfg.io);
    expect(cfg.requests).toEqual([
      {
        method: "PUT",
        path: "/admin/telemetry-config",
        body: { rampQuotaShare: 0.7, staleAfterDays: 7 },
      },
    ]);
    expect(cfg.lines[0]).toContain("rampQuotaShare 0.7");
    await expect(config(cfg.api, ["set", "rampShare=0.7"], {}, cfg.io)).rejects.toThrow(
      /rampQuotaShare=<number>/,
    );
    for (const command of ["quotas [get", "reps [list", "set-start", "config [get"])
      expect(HELP).toContain(command);
  });
});
