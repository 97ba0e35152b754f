// `quotas`, `reps` and `config`: reps' quotas, their start dates and the report settings through
// the admin API (docs/admin.md#quotas-reps-and-ramp).
import type { z } from "zod";
import type {
  QuotasSchema,
  RepListSchema,
  RepViewSchema,
  TelemetryConfigSchema,
} from "../shared/contracts/admin";
import { type AdminApi, CliError } from "./api";
import { type Io, readJsonFile } from "./commands";

type Flags = Record<string, string | boolean | undefined>;
type Quotas = z.infer<typeof QuotasSchema>;
type Rep = z.infer<typeof RepViewSchema>;
type Config = z.infer<typeof TelemetryConfigSchema>;

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** `{ reps: [...] }` as `quotas get` prints it, or the list of reps alone. */
export function readQuotasFile(file: string): { reps: unknown } {
  const parsed = readJsonFile(file);
  return Array.isArray(parsed) ? { reps: parsed } : (parsed as { reps: unknown });
}

const money = (n: number) => n.toLocaleString("en-US");

/** One line per rep: who, then the standing quota and each month's. */
export const quotaLines = (quotas: Quotas): string[] =>
  quotas.reps.length
    ? quotas.reps.map(
        (r) =>
          `${r.name ? `${r.name} (${r.rep})` : r.rep}: ${r.quotas.map((q) => `${q.month === "*" ? "standing" : q.month} ${money(q.amount)}`).join(", ") || "none"}`,
      )
    : ["no quotas yet: npm run admin -- quotas set quotas.json"];

export async function quotas(api: AdminApi, args: string[], flags: Flags, io: Io) {
  const [action = "get", file] = args;
  if (action === "get") {
    const read = await api.call<Quotas>("GET", "/admin/quotas");
    if (flags.json === true) return io.out(json(read));
    for (const line of quotaLines(read)) io.out(line);
    return;
  }
  if (action === "set") {
    if (!file)
      throw new CliError(
        'quotas set needs a JSON file: npm run admin -- quotas set quotas.json (shape: {"reps":[{"rep":"<User Id or Username>","quotas":[{"month":"*","amount":50000}]}]})',
      );
    const body = readQuotasFile(file);
    const saved = await api.call<Quotas>("PUT", "/admin/quotas", body);
    const listed = Array.isArray(body.reps) ? body.reps.length : 0;
    io.out(`replaced the quotas of ${listed} rep(s); now in force:`);
    for (const line of quotaLines(saved)) io.out(`  ${line}`);
    return;
  }
  throw new CliError(`unknown quotas action "${action}" (get, set)`);
}

const repLine = (r: Rep) =>
  `${r.name ?? "(not mirrored yet)"} ${r.userId}${r.active === false ? " inactive" : ""}: start ${r.startDate ?? "unknown"}${r.startDateOverride ? ` (set here; Salesforce says ${r.salesforceStartDate ?? "none"})` : r.startDate ? " (Salesforce Start_Date__c)" : ""}`;

export async function reps(api: AdminApi, args: string[], flags: Flags, io: Io) {
  const [action = "list", userId, date] = args;
  if (action === "list") {
    const read = await api.call<z.infer<typeof RepListSchema>>("GET", "/admin/reps");
    if (flags.json === true) return io.out(json(read));
    for (const r of read.reps) io.out(repLine(r));
    if (!read.reps.length) io.out("no reps mirrored yet: the nightly telemetry pulls the Users");
    return;
  }
  if (action === "set-start") {
    if (!userId || !date || !/^(\d{4}-\d{2}-\d{2}|none)$/.test(date))
      throw new CliError(
        "reps set-start needs a User Id and a date: npm run admin -- reps set-start 005… 2026-03-01 (none: Salesforce's Start_Date__c again)",
      );
    const rep = await api.call<Rep>("PUT", `/admin/reps/${encodeURIComponent(userId)}`, {
      startDate: date === "none" ? null : date,
    });
    return io.out(repLine(rep));
  }
  throw new CliError(`unknown reps action "${action}" (list, set-start)`);
}

const CONFIG_KEYS = ["rampQuotaShare", "staleAfterDays"] as const;

export async function config(api: AdminApi, args: string[], flags: Flags, io: Io) {
  const [action = "get", ...pairs] = args;
  let answer: Config;
  if (action === "get") answer = await api.call<Config>("GET", "/admin/telemetry-config");
  else if (action === "set") {
    if (!pairs.length)
      throw new CliError(
        "config set needs key=value: npm run admin -- config set rampQuotaShare=0.8 staleAfterDays=5",
      );
    const body: Record<string, number> = {};
    for (const pair of pairs) {
      const [key, value] = pair.split("=");
      if (
        !CONFIG_KEYS.includes(key as (typeof CONFIG_KEYS)[number]) ||
        !value ||
        Number.isNaN(Number(value))
      )
        throw new CliError(
          `"${pair}": expected ${CONFIG_KEYS.map((k) => `${k}=<number>`).join(" or ")}`,
        );
      body[key!] = Number(value);
    }
    answer = await api.call<Config>("PUT", "/admin/telemetry-config", body);
  } else throw new CliError(`unknown config action "${action}" (get, set)`);
  if (flags.json === true) return io.out(json(answer));
  io.out(
    `rampQuotaShare ${answer.rampQuotaShare} (a rep is ramped at this share of a month's quota)`,
  );
  io.out(`staleAfterDays ${answer.staleAfterDays} (a handed-off lead untouched longer is stale)`);
}
