import type { MappingPreview, RulesPreview } from "../shared/contracts/admin";

/** Refusal reasons shown, the most frequent (before or after) first. */
const TOP_REASONS = 5;

/** A rules preview in words, a line each: what was judged, the flips, reasons, sources, reads. */
export function describePreview(p: RulesPreview): string[] {
  const examples = (ids: string[], n: number) =>
    ids.length ? ` (e.g. ${ids.join(", ")}${n > ids.length ? ", …" : ""})` : "";
  const lines = [
    `judged ${p.judged} contact(s) last judged in the past ${p.days} day(s), under rules v${p.current.version} in force and under these rules:`,
    `  ${p.toQualified} would be qualified instead of refused${examples(p.examples.toQualified, p.toQualified)}`,
    `  ${p.toRefused} would be refused instead of qualified${examples(p.examples.toRefused, p.toRefused)}`,
    `  ${p.unchanged} unchanged`,
  ];
  const codes = [...new Set([...Object.keys(p.byReason.before), ...Object.keys(p.byReason.after)])]
    .map((code) => [code, p.byReason.before[code] ?? 0, p.byReason.after[code] ?? 0] as const)
    .sort((a, b) => Math.max(b[1], b[2]) - Math.max(a[1], a[2]) || a[0].localeCompare(b[0]))
    .slice(0, TOP_REASONS);
  if (codes.length) {
    const width = Math.max(...codes.map(([code]) => code.length));
    lines.push("top refusal reasons, contacts now → with these rules:");
    for (const [code, before, after] of codes)
      lines.push(`  ${code.padEnd(width)}  ${before} → ${after}`);
  }
  const sources = [
    ...new Set([...Object.keys(p.bySource.before), ...Object.keys(p.bySource.after)]),
  ].sort();
  if (sources.length) {
    const width = Math.max(...sources.map((s) => s.length));
    lines.push("qualified by source, now → with these rules:");
    for (const source of sources) {
      const [before, after] = [p.bySource.before[source], p.bySource.after[source]];
      const of = (c?: { qualified: number; refused: number }) =>
        `${c?.qualified ?? 0} of ${(c?.qualified ?? 0) + (c?.refused ?? 0)}`;
      lines.push(`  ${source.padEnd(width)}  ${of(before)} → ${of(after)}`);
    }
  }
  const missing = p.missingProperties;
  lines.push(
    missing.names.length
      ? `properties the stored judgements had not read: ${missing.names.join(", ")}; read from HubSpot for ${missing.readFromHubSpot} contact(s), ${missing.unread} judged without them (past the preview's HubSpot budget)`
      : "every property these rules name was read when the contacts were judged",
  );
  if (p.mapping) lines.push(...describeMappingPreview(p.mapping));
  lines.push("nothing was saved: npm run admin -- rules set <file.json> --note 'why' saves them");
  return lines;
}

/** The Lead fields a proposed mapping would change, a line each, with a few examples. */
function describeMappingPreview(m: MappingPreview): string[] {
  if (m.fieldsChanged.length === 0)
    return [`the mapping builds the same Lead fields as mapping v${m.current.version} in force`];
  const width = Math.max(...m.fieldsChanged.map((f) => f.field.length));
  return [
    `${m.contactsChanged} contact(s) would get different Lead fields than under mapping v${m.current.version} in force:`,
    ...m.fieldsChanged.map((f) => `  ${f.field.padEnd(width)}  ${f.contacts} contact(s)`),
    "for example:",
    ...m.examples.map(
      (e) =>
        `  contact ${e.contactId}  ${e.field}: ${JSON.stringify(e.before)} → ${JSON.stringify(e.after)}`,
    ),
  ];
}
