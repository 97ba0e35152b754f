import { chunks, runLimited } from "../../shared/batching";
import type { RulesPreview } from "../../shared/contracts/admin";
import { DEFAULT_MAPPING, type Mapping } from "../../shared/contracts/mapping";
import type { Mql } from "../../shared/contracts/mql";
import { DEFAULT_RULES, type Rules } from "../../shared/contracts/rules";
import { latestMapping } from "../../shared/db/mappings";
import { latestRules } from "../../shared/db/rules";
import { type JudgedSnapshot, snapshotPage } from "../../shared/db/snapshots";
import type { HubSpot } from "../../shared/hubspot/apis";
import { HUBSPOT_BATCH_MAX } from "../../shared/hubspot/notes";
import { withHubSpotRetry } from "../../shared/hubspot/retry";
import { propertiesRead } from "../handoff/criteria";
import type { PropertyNames } from "../handoff/enrich";
import { type FieldLength, mappingProperties } from "../handoff/lead-mapping";
import { toMql } from "../handoff/mql";
import { qualify } from "../handoff/qualify";
import { MappingDiff } from "./mapping-preview";

/** Snapshots read per D1 query: 10,000 contacts are ten queries. */
export const PREVIEW_PAGE_ROWS = 1_000;
/**
 * HubSpot batch reads (100 records each) one preview may make for properties its snapshots lack:
 * a tenth of HubSpot's 190 calls per 10 s, so the handoff keeps its room. Contacts past them are
 * judged without those properties and counted as unread, as are those whose read HubSpot fails.
 */
export const PREVIEW_HUBSPOT_CALLS = 20;
const READ_CONCURRENCY = 5;
const EXAMPLES = 5;
const DAY = 86_400_000;

export interface PreviewDeps {
  db: D1Database;
  hubspot: HubSpot;
  portalId: string;
  /** HubSpot reads allowed; PREVIEW_HUBSPOT_CALLS unless told. */
  hubspotCalls?: number;
  /** The Lead fields' lengths (Salesforce's describe), for truncations to the field's length. */
  fieldLength?: FieldLength;
}

interface Verdict {
  qualified: boolean;
  codes: string[];
  source: string;
  mql: Mql;
}

/**
 * Judges the contacts last judged in the past `days` days, from their snapshots, under the rules in
 * force and under `proposal` (the rules in force when undefined), and counts what would change.
 * Writes nothing: D1 is only read, and HubSpot is only read for properties the snapshots lack,
 * within PREVIEW_HUBSPOT_CALLS.
 */
export async function previewRules(
  deps: PreviewDeps,
  proposal: Rules | undefined,
  days: number,
  now: number,
  mapping?: Mapping,
): Promise<RulesPreview> {
  const current = (await latestRules(deps.db)) ?? { version: 1, rules: DEFAULT_RULES };
  // A mapping-only preview judges both sides under the rules in force: nothing flips.
  proposal ??= current.rules;
  const currentMapping = mapping
    ? ((await latestMapping(deps.db)) ?? {
        version: 1,
        mapping: DEFAULT_MAPPING,
        createdAt: 0,
        createdBy: "leadbridge",
        note: null,
      })
    : undefined;
  const needed = propertiesNeeded(
    current.rules,
    proposal,
    mapping && currentMapping ? [currentMapping.mapping, mapping] : [],
  );
  const diff =
    mapping && currentMapping ? new MappingDiff(currentMapping, mapping, deps.fieldLength) : null;
  const tally = new Tally(days, current.version);
  const budget = { calls: deps.hubspotCalls ?? PREVIEW_HUBSPOT_CALLS };
  let after = "";
  for (;;) {
    const page = await snapshotPage(deps.db, now - days * DAY, after, PREVIEW_PAGE_ROWS);
    const { read, unread } = await readMissing(deps.hubspot, page, needed, budget, tally.missing);
    tally.readFromHubSpot += read;
    tally.unread += unread;
    for (const s of page) {
      const [before, after] = [
        verdictOf(s, current.rules, deps.portalId),
        verdictOf(s, proposal, deps.portalId),
      ];
      tally.add(s.contactId, before, after);
      const input = { contactId: s.contactId, contact: s.contact, company: s.company };
      diff?.add({ ...input, mql: before.mql }, { ...input, mql: after.mql });
    }
    if (page.length < PREVIEW_PAGE_ROWS) break;
    after = page.at(-1)!.contactId;
  }
  return diff ? { ...tally.result(), mapping: diff.result() } : tally.result();
}

/**
 * The properties either rules version reads, and either mapping; leadbridge_* are Leadbridge's own,
 * never judged by.
 */
function propertiesNeeded(current: Rules, proposal: Rules, mappings: Mapping[]): PropertyNames {
  const read = [
    propertiesRead(current),
    propertiesRead(proposal),
    ...mappings.map(mappingProperties),
  ];
  const union = (kind: keyof PropertyNames) =>
    [...new Set(read.flatMap((r) => r[kind]))].filter((p) => !p.startsWith("leadbridge_"));
  return { contact: union("contact"), company: union("company") };
}

function verdictOf(s: JudgedSnapshot, rules: Rules, portalId: string): Verdict {
  const mql = toMql(portalId, s.contactId, s.contact, s.company ?? undefined, rules, s.judgedAt);
  const judgement = qualify(mql, rules);
  return {
    qualified: judgement.qualified,
    codes: [...new Set(judgement.rejections.map((r) => r.code))],
    source: mql.source,
    mql,
  };
}

/**
 * Reads from HubSpot the properties `needed` that the page's snapshots did not read, in batches of
 * 100 while the budget lasts, and adds them to the snapshots in place (null when HubSpot has no
 * value). Names what was missing into `names`; counts the snapshots read and left unread.
 */
async function readMissing(
  hubspot: HubSpot,
  page: JudgedSnapshot[],
  needed: PropertyNames,
  budget: { calls: number },
  names: Set<string>,
): Promise<{ read: number; unread: number }> {
  const lacking = (have: object, wanted: string[]) => wanted.filter((p) => !(p in have));
  const contactReads: { snapshot: JudgedSnapshot; properties: string[] }[] = [];
  const companyReads = new Map<string, { snapshots: JudgedSnapshot[]; properties: string[] }>();
  const incomplete = new Set<JudgedSnapshot>();
  for (const s of page) {
    const contact = lacking(s.contact, needed.contact);
    // A contact with no company has none of its properties: nothing to read.
    const company = s.company ? lacking(s.company, needed.company) : [];
    for (const p of contact) names.add(`contact.${p}`);
    for (const p of company) names.add(`company.${p}`);
    if (contact.length) contactReads.push({ snapshot: s, properties: contact });
    const companyId = s.company?.hs_object_id;
    if (company.length && companyId) {
      const entry = companyReads.get(companyId) ?? { snapshots: [], properties: [] };
      entry.snapshots.push(s);
      entry.properties.push(...company);
      companyReads.set(companyId, entry);
    }
    if (contact.length || company.length) incomplete.add(s);
  }
  const unread = new Set<JudgedSnapshot>();
  const calls: (() => Promise<void>)[] = [];
  for (const batch of chunks(contactReads, HUBSPOT_BATCH_MAX)) {
    if (budget.calls <= 0) {
      for (const r of batch) unread.add(r.snapshot);
      continue;
    }
    budget.calls--;
    const properties = [...new Set(batch.flatMap((r) => r.properties))];
    const snapshots = batch.map((r) => r.snapshot);
    calls.push(async () => {
      const ids = snapshots.map((s) => s.contactId);
      const found = await batchRead(hubspot, "contacts", ids, properties, snapshots, unread);
      for (const s of snapshots) if (found) fill(s.contact, properties, found.get(s.contactId));
    });
  }
  for (const batch of chunks([...companyReads], HUBSPOT_BATCH_MAX)) {
    if (budget.calls <= 0) {
      for (const [, r] of batch) for (const s of r.snapshots) unread.add(s);
      continue;
    }
    budget.calls--;
    const properties = [...new Set(batch.flatMap(([, r]) => r.properties))];
    const snapshots = batch.flatMap(([, r]) => r.snapshots);
    calls.push(async () => {
      const ids = batch.map(([id]) => id);
      const found = await batchRead(hubspot, "companies", ids, properties, snapshots, unread);
      for (const [id, r] of batch)
        for (const s of r.snapshots)
          if (found && s.company) fill(s.company, properties, found.get(id));
    });
  }
  // A company without its id (none is stored) cannot be read.
  for (const s of incomplete)
    if (s.company && !s.company.hs_object_id && lacking(s.company, needed.company).length)
      unread.add(s);
  await runLimited(calls, READ_CONCURRENCY);
  return { read: incomplete.size - unread.size, unread: unread.size };
}

/**
 * One batch read; undefined when HubSpot failed it after its retries: the preview still answers,
 * with `affected` judged without the properties and counted unread.
 */
async function batchRead(
  hubspot: HubSpot,
  kind: "contacts" | "companies",
  ids: string[],
  properties: string[],
  affected: JudgedSnapshot[],
  unread: Set<JudgedSnapshot>,
): Promise<Map<string, Record<string, string | null>> | undefined> {
  try {
    const page = await withHubSpotRetry(() =>
      hubspot.crm[kind].batchApi.read({
        inputs: ids.map((id) => ({ id })),
        properties,
        propertiesWithHistory: [],
      }),
    );
    return new Map(page.results.map((r) => [r.id, r.properties]));
  } catch {
    for (const s of affected) unread.add(s);
    return undefined;
  }
}

/** Adds each asked property, null when HubSpot has no value (or no longer has the record). */
function fill(
  into: Record<string, string | null>,
  properties: string[],
  from: Record<string, string | null> | undefined,
): void {
  for (const p of properties) if (!(p in into)) into[p] = from?.[p] ?? null;
}

/** The preview's counts as contacts are judged. */
class Tally {
  readonly missing = new Set<string>();
  readFromHubSpot = 0;
  unread = 0;
  private judged = 0;
  private readonly flips = { toQualified: [] as string[], toRefused: [] as string[] };
  private readonly counts = { toQualified: 0, toRefused: 0, unchanged: 0 };
  private readonly byReason = {
    before: {} as Record<string, number>,
    after: {} as Record<string, number>,
  };
  private readonly bySource = {
    before: {} as Record<string, { qualified: number; refused: number }>,
    after: {} as Record<string, { qualified: number; refused: number }>,
  };

  constructor(
    private readonly days: number,
    private readonly version: number,
  ) {}

  add(contactId: string, before: Verdict, after: Verdict): void {
    this.judged++;
    this.count("before", before);
    this.count("after", after);
    const flip =
      before.qualified === after.qualified
        ? undefined
        : after.qualified
          ? "toQualified"
          : "toRefused";
    if (!flip) {
      this.counts.unchanged++;
      return;
    }
    this.counts[flip]++;
    if (this.flips[flip].length < EXAMPLES) this.flips[flip].push(contactId);
  }

  private count(when: "before" | "after", v: Verdict): void {
    for (const code of v.codes) this.byReason[when][code] = (this.byReason[when][code] ?? 0) + 1;
    const counts = this.bySource[when][v.source] ?? { qualified: 0, refused: 0 };
    counts[v.qualified ? "qualified" : "refused"]++;
    this.bySource[when][v.source] = counts;
  }

  result(): RulesPreview {
    return {
      days: this.days,
      judged: this.judged,
      current: { version: this.version },
      ...this.counts,
      byReason: this.byReason,
      bySource: this.bySource,
      examples: this.flips,
      missingProperties: {
        names: [...this.missing].sort(),
        readFromHubSpot: this.readFromHubSpot,
        unread: this.unread,
      },
    };
  }
}
