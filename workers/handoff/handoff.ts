import { getLeads, type LeadRow } from "../../shared/db/leads";
import { currentMapping, type MappingVersion } from "../../shared/db/mappings";
import { latestRouting, type RoutingVersion } from "../../shared/db/routings";
import { currentRules, type RulesVersion } from "../../shared/db/rules";
import { tombstonedOf } from "../../shared/db/tombstones";
import { overBudget, readUsage } from "../../shared/salesforce/budget";
import { leadDescribe } from "../../shared/salesforce/describe";
import { startTimersAfterHandoff } from "../sla/timers";
import type { ContactWork } from "./coalesce";
import { propertiesRead } from "./criteria";
import { type Enriched, enrichContacts, type PropertyNames, readMoreProperties } from "./enrich";
import { ContactLookup } from "./existing-contacts";
import { receive } from "./intake";
import { judge } from "./judge";
import { type FieldLength, mappingProperties, needsFieldLengths } from "./lead-mapping";
import { rekeyMergedLeads } from "./merge";
import { COMPANY_PROPERTIES, CONTACT_PROPERTIES, type Properties } from "./mql";
import { forgetContacts } from "./privacy";
import { push } from "./push";
import { record, recordFeedback, writeBatch } from "./record";
import { Router } from "./routing";
import { poolPropertiesRead } from "./routing-plan";
import { sendFeedback } from "./send-feedback";
import type { ContactOutcome, HandoffDeps, StageRecord } from "./types";

/**
 * The handoff for one batch of coalesced contacts: receive, enrich, judge, push, feed back,
 * record. Every external effect is idempotent, so a retry after any failure repeats no harm.
 */
export async function handOff(
  items: ContactWork[],
  deps: HandoffDeps,
): Promise<Map<string, ContactOutcome>> {
  const now = deps.now ?? Date.now;
  const phases = new Phases();
  const { previous, toJudge } = await readBatch(items, deps);
  const stages = [receive(items, previous, now())];
  const forgetting = forgetContacts(items, deps, now());
  if (toJudge) stages.push(...(await judgeAndHandOff(toJudge, deps, phases)));
  stages.push(await forgetting);
  phases.lap("recordMs");
  const { writes, outcomes } = record(stages);
  const statements = await writeBatch(deps.db, deps.batchId, writes);
  phases.lap("d1WriteMs");
  // Once the assignments and the Leads are written: the Leads' SLA timers (docs/sla.md).
  if (deps.slaTimers)
    await startTimersAfterHandoff(
      { DB: deps.db, LEAD_SLA: deps.slaTimers },
      writes.assignedLeads
        .filter((a) => a.created)
        .map(({ leadId, assignment: a }) => ({ ...a, leadId })),
      deps.log,
      toJudge?.routing ?? undefined,
    );
  deps.log.info("handoff_done", {
    contacts: items.length,
    done: [...outcomes.values()].filter((o) => o.done).length,
    d1Statements: statements,
    ...phases.summary(),
  });
  return outcomes;
}

/**
 * The properties the rules and mapping last met in this isolate read beyond the handoff's own:
 * asked for in every read, so a version naming new ones costs a second read only in the first
 * batch that meets it.
 */
let extraProperties: PropertyNames = { contact: [], company: [] };

/** The contacts to judge, with their HubSpot reads under way and what D1 knows of them. */
interface ToJudge {
  work: ContactWork[];
  enriching: Promise<Enriched>;
  /** The properties those reads ask for beyond the handoff's own. */
  asked: PropertyNames;
  previous: Map<string, LeadRow>;
  rules: RulesVersion;
  mapping: MappingVersion;
  /** The routing in force; null: new Leads follow SALESFORCE_LEAD_ASSIGNMENT. */
  routing: RoutingVersion | null;
  lookup: ContactLookup;
}

/**
 * The batch's lead rows and, when it has contacts to judge, the rules in force and their HubSpot
 * reads, started first: they do not depend on D1, so they run beside the D1 reads.
 */
async function readBatch(
  items: ContactWork[],
  deps: HandoffDeps,
): Promise<{ previous: Map<string, LeadRow>; toJudge?: ToJudge }> {
  const work = items.filter((w) => w.action === "judge");
  const leads = getLeads(
    deps.db,
    items.filter((w) => w.action !== "purge").map((w) => w.contactId),
  );
  const lookup = new ContactLookup(deps.clients.salesforce);
  const asked = extraProperties;
  // A backfill's contacts come with what its search read: their lead rows say first whether
  // anything was judged since (then the contact is read again, as a webhook's would be), and a
  // contact privacy-deleted since the search is read too (HubSpot no longer has it: purged below).
  const carried = work.some((w) => w.snapshot)
    ? await usableSnapshots(work, leads, deps)
    : undefined;
  const enriching = work.length
    ? enrichContacts(
        deps.clients.hubspot,
        work.map((w) => w.contactId),
        (contacts) => void lookUpNewContacts(contacts, leads, lookup, deps),
        asked,
        carried,
        deps.lane === "backfill" ? COMPANY_REUSE_MS : 0,
      )
    : undefined;
  enriching?.catch(() => {});
  const [previous, rules, mapping, routing] = await Promise.all([
    leads,
    work.length ? currentRules(deps.db) : undefined,
    work.length ? currentMapping(deps.db) : undefined,
    work.length ? latestRouting(deps.db) : null,
  ]);
  return {
    previous,
    toJudge:
      enriching && rules && mapping
        ? { work, enriching, asked, previous, rules, mapping, routing, lookup }
        : undefined,
  };
}

/** snapshotsToUse, less the contacts privacy-deleted since (one D1 read, beside the lead rows). */
async function usableSnapshots(
  work: ContactWork[],
  leads: Promise<Map<string, LeadRow>>,
  deps: HandoffDeps,
): Promise<Map<string, Properties>> {
  const withSnapshot = work.filter((w) => w.snapshot).map((w) => w.contactId);
  const [rows, forgotten] = await Promise.all([
    leads,
    tombstonedOf(deps.db, deps.config.HUBSPOT_CLIENT_SECRET, withSnapshot),
  ]);
  const usable = snapshotsToUse(work, rows, (deps.now ?? Date.now)());
  for (const id of forgotten) usable.delete(id);
  return usable;
}

/**
 * How long the backfill lane reuses a company it read (enrichContacts): a backfill meets the same
 * companies in batch after batch, and its contacts' own properties may be minutes old already.
 */
export const COMPANY_REUSE_MS = 60_000;

/**
 * How long a backfill's search snapshot stands in for a read: the lane runs minutes behind its
 * search at most; work older than this (retried, held) is read again.
 */
export const SNAPSHOT_MAX_AGE_MS = 15 * 60_000;

/**
 * The search snapshots that can stand in for a contact read: not older than SNAPSHOT_MAX_AGE_MS,
 * and taken after the contact's lead row last changed (a judgement since read newer properties,
 * so this contact is read again rather than judged on older ones).
 */
export function snapshotsToUse(
  work: ContactWork[],
  rows: Map<string, LeadRow>,
  now: number,
): Map<string, Properties> {
  const usable = new Map<string, Properties>();
  for (const w of work) {
    const snapshot = w.snapshot;
    if (!snapshot || now - snapshot.at > SNAPSHOT_MAX_AGE_MS) continue;
    const row = rows.get(w.contactId);
    if (row && row.updated_at >= snapshot.at) continue;
    usable.set(w.contactId, snapshot.properties);
  }
  return usable;
}

/**
 * Starts looking up, among Salesforce Contacts, the emails of contacts with no Lead yet, as soon as
 * HubSpot has read them: the lookup then runs beside the company reads instead of before the
 * upsert (a Salesforce round trip off every new lead's speed-to-lead). Contacts the rules will
 * refuse are looked up too, which costs a query per few hundred emails, not a call per lead. Not
 * while Leadbridge is over its Salesforce budget (the push holds then); any failure here is the
 * push's to report, when it asks for the answer.
 */
async function lookUpNewContacts(
  contacts: Map<string, Properties>,
  leads: Promise<Map<string, LeadRow>>,
  lookup: ContactLookup,
  deps: HandoffDeps,
): Promise<void> {
  if (deps.config.SALESFORCE_EXISTING_CONTACTS !== "skip_lead") return;
  try {
    const [previous, usage] = await Promise.all([leads, readUsage(deps.kv)]);
    if (overBudget(usage, deps.config.SALESFORCE_DAILY_BUDGET_SHARE)) return;
    const emails = [...contacts].flatMap(([id, properties]) => {
      const row = previous.get(id);
      return properties.email && !row?.salesforce_lead_id && row?.converted_at == null
        ? [properties.email]
        : [];
    });
    lookup.start(emails);
  } catch {
    // The push looks these up itself.
  }
}

/** The contacts to judge: merges re-keyed, then judged, pushed and given their feedback. */
async function judgeAndHandOff(
  { work, enriching, asked, previous, rules, mapping, routing, lookup }: ToJudge,
  deps: HandoffDeps,
  phases: Phases,
): Promise<StageRecord[]> {
  const now = deps.now ?? Date.now;
  const merged = await rekeyMergedLeads(work, deps);
  phases.lap("d1ReadMs");
  const enriched = await enriching;
  // The rules, mapping and routing in force read properties the reads did not ask for (a new
  // version's).
  const needed = extraPropertiesOf(rules.rules, mapping.mapping, routing?.routing);
  const more = {
    contact: needed.contact.filter((p) => !asked.contact.includes(p)),
    company: needed.company.filter((p) => !asked.company.includes(p)),
  };
  if (more.contact.length || more.company.length)
    await readMoreProperties(deps.clients.hubspot, enriched, more);
  extraProperties = needed;
  const read = {
    contact: [...new Set([...CONTACT_PROPERTIES, ...asked.contact, ...more.contact])],
    company: [...new Set([...COMPANY_PROPERTIES, ...asked.company, ...more.company])],
  };
  phases.lap("enrichMs");
  const portalId = deps.config.HUBSPOT_PORTAL_ID;
  const { leadTakenOver } = merged;
  // A survivor whose re-key failed waits: judged now, it would be pushed as a Lead of its own.
  const rekeyWaits = new Set(merged.waiting?.map((w) => w.contactId));
  const judgeable = work.filter((w) => !rekeyWaits.has(w.contactId));
  const fieldLength = await fieldLengthsFor(mapping, deps);
  const at = now();
  const judged = judge({
    work: judgeable,
    enriched,
    previous,
    rules,
    mapping,
    fieldLength,
    read,
    portalId,
    at,
    leadTakenOver,
  });
  // Contacts HubSpot no longer has may be privacy-deleted ones a late event brought back: only
  // then (rarely) one D1 read, and whatever the batch writes of them is purged again.
  const forgotten = [
    ...(await tombstonedOf(deps.db, deps.config.HUBSPOT_CLIENT_SECRET, [...enriched.missing])),
  ];
  phases.lap("judgeMs");

  const router =
    routing &&
    new Router(
      routing,
      (id) => {
        const contact = enriched.contacts.get(id);
        return contact && { contact, company: enriched.companyOf.get(id) };
      },
      { db: deps.db, log: deps.log, now },
    );

  // Refused contacts get their feedback while the qualified ones go to Salesforce; a qualified
  // contact's feedback needs its Salesforce id, so it follows its push.
  const context = {
    db: deps.db,
    hubspot: deps.clients.hubspot,
    rulesVersion: rules.version,
    current: enriched.contacts,
    now,
  };
  // On the backfill lane nobody waits: refusals wait for the push and share its writes, instead
  // of partial batches of each kind.
  const refusalsFirst = deps.lane !== "backfill";
  const [refusedFeedback, [pushed, laterFeedback]] = await Promise.all([
    refusalsFirst ? sendFeedback(judged.refused, context) : [],
    push(judged.qualified, deps, lookup, mapping.mapping, router ?? undefined).then(
      async (pushed) => {
        phases.lap("pushMs");
        const decisions = refusalsFirst
          ? pushed.decisions
          : [...judged.refused, ...pushed.decisions];
        return [pushed, await sendFeedback(decisions, context)] as const;
      },
    ),
  ]);
  phases.lap("feedbackMs");
  const fedBack = recordFeedback([...refusedFeedback, ...laterFeedback], rules.version, now());
  return [merged, judged, pushed, fedBack, { forgotten }];
}

/**
 * The properties the rules, the mapping and the routing's pool conditions read beyond the
 * handoff's own (CONTACT_PROPERTIES, COMPANY_PROPERTIES).
 */
export function extraPropertiesOf(
  rules: RulesVersion["rules"],
  mapping: MappingVersion["mapping"],
  routing?: RoutingVersion["routing"],
): PropertyNames {
  const read = [
    propertiesRead(rules),
    mappingProperties(mapping),
    routing ? poolPropertiesRead(routing) : { contact: [], company: [] },
  ];
  const contact: readonly string[] = CONTACT_PROPERTIES;
  const company: readonly string[] = COMPANY_PROPERTIES;
  return {
    contact: [...new Set(read.flatMap((r) => r.contact))].filter((p) => !contact.includes(p)),
    company: [...new Set(read.flatMap((r) => r.company))].filter((p) => !company.includes(p)),
  };
}

/**
 * The Lead fields' lengths when the mapping truncates to them: Salesforce's describe, cached in
 * KV. Without it (Salesforce unreachable) those truncations are skipped and Salesforce's own
 * length check has the last word.
 */
async function fieldLengthsFor(
  mapping: MappingVersion,
  deps: HandoffDeps,
): Promise<FieldLength | undefined> {
  if (!needsFieldLengths(mapping.mapping)) return undefined;
  try {
    const describe = await leadDescribe(await deps.clients.salesforce(), deps.kv);
    const lengths = new Map(describe.fields.map((f) => [f.name.toLowerCase(), f.length]));
    return (field) => lengths.get(field.toLowerCase()) || undefined;
  } catch (err) {
    deps.log.warn("lead_describe_failed", { error: String(err).slice(0, 200) });
    return undefined;
  }
}

/** Milliseconds per phase of a batch, for the handoff_done log line (wall time, not the clock). */
class Phases {
  private readonly started = Date.now();
  private mark = this.started;
  private readonly ms: Record<string, number> = {};

  lap(phase: string): void {
    const t = Date.now();
    this.ms[phase] = (this.ms[phase] ?? 0) + t - this.mark;
    this.mark = t;
  }

  summary(): Record<string, number> {
    return { ms: Date.now() - this.started, ...this.ms };
  }
}
