import type { RoutingSection } from "../shared/contracts/report";

/** A wait in the unit that keeps it short: seconds, minutes, hours or days. */
export function duration(ms: number | null): string {
  if (ms === null) return "–";
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 172_800_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}

const rep = (r: { ownerId: string | null; ownerName: string | null }) =>
  r.ownerId === null ? "no rep (Salesforce decided)" : (r.ownerName ?? r.ownerId);

/**
 * The report's routing section in a few lines (the CLI's `report` and the demo): assignments and
 * their reasons, each rep against their cap with their first-touch p50, and the SLA by pool.
 */
export function routingLines(r: RoutingSection, indent = "  "): string[] {
  const a = r.assignments;
  const t = r.firstTouch;
  const s = r.sla;
  const reasons = a.byReason.map((x) => `${x.reason} ${x.count}`).join(", ");
  const touchOf = new Map(t.byRep.map((x) => [x.ownerId, x]));
  const reps = a.byRep.map((x) => {
    const touch = touchOf.get(x.ownerId);
    const cap = x.dailyCap === null ? "no cap" : `cap ${x.dailyCap}`;
    return `${rep(x)} ${x.assigned} (${cap}${touch ? `, first touch p50 ${duration(touch.p50Ms)}` : ""})`;
  });
  const pools = s.byPool.map(
    (p) =>
      `${p.pool} ${p.firstBreaches}+${p.secondBreaches} breaches, ${p.reassigned} reassigned, alerts ${p.alertsSent} sent/${p.alertsGivenUp} given up/${p.alertsPending} pending`,
  );
  return [
    `${indent}routing ${r.routingVersion === null ? "(none saved)" : `v${r.routingVersion}`}: ${a.total} assigned${reasons ? ` (${reasons})` : ""}`,
    `${indent}  first touch p50 ${duration(t.p50Ms)}, p95 ${duration(t.p95Ms)} over ${t.count}${t.byPool.length ? `; by pool ${t.byPool.map((p) => `${p.pool ?? "none"} ${duration(p.p50Ms)}/${duration(p.p95Ms)}`).join(", ")}` : ""}`,
    `${indent}  per rep ${reps.length ? reps.join(", ") : "none"}`,
    `${indent}  SLA ${s.firstBreaches} first and ${s.secondBreaches} second breaches, ${s.reassigned} reassigned${s.reassignFailed ? ` (${s.reassignFailed} refused)` : ""}, alerts ${s.alertsSent} sent, ${s.alertsGivenUp} given up, ${s.alertsPending} pending${pools.length ? `; ${pools.join("; ")}` : ""}`,
  ];
}
