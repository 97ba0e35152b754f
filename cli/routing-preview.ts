import type { RoutingPreview } from "../shared/contracts/admin";

const FALLBACK: Record<RoutingPreview["fallback"]["decidedBy"], string> = {
  fallback_owner: "the fallback owner",
  assignment_rules: "Salesforce's assignment rule",
  integration_user: "the integration user",
};

/** A routing preview in words, a line each: the window, each pool and member, the fallback. */
export function describeRoutingPreview(p: RoutingPreview): string[] {
  const lines = [
    `${p.handoffs} new Lead(s) handed off in the past ${p.days} day(s), spread by this routing (days in ${p.timeZone}):`,
  ];
  for (const pool of p.pools) {
    lines.push(
      `  pool ${pool.name} (${pool.method}): ${pool.matched} matched, ${pool.leads} assigned${pool.overflow ? `, ${pool.overflow} with every member skipped` : ""}`,
    );
    for (const m of pool.members) {
      const cap =
        m.dailyCap === null ? "no cap" : `cap ${m.dailyCap}/day, at it on ${m.daysAtCap} day(s)`;
      const state = m.active ? "" : " (inactive or unknown in Salesforce: skipped)";
      lines.push(
        `    ${m.userId}  ${m.leads} lead(s), weight ${m.weight}, ${cap}, busiest day ${m.busiestDay}${state}`,
      );
    }
  }
  const f = p.fallback;
  lines.push(
    `  fallback: ${f.leads} lead(s) to ${FALLBACK[f.decidedBy]}${f.ownerId ? ` ${f.ownerId}` : ""} (${f.unmatched} no pool took, ${f.overflow} past caps)`,
  );
  lines.push(`account match: ${p.accountMatch}`);
  if (p.withoutSnapshot)
    lines.push(
      `${p.withoutSnapshot} lead(s) had no stored judgement: only pools without conditions could take them`,
    );
  if (p.missingProperties.length)
    lines.push(`judged as empty where not read at the time: ${p.missingProperties.join(", ")}`);
  lines.push("nothing was saved");
  return lines;
}
