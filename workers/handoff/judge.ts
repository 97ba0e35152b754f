import type { LeadRow } from "../../shared/db/leads";
import type { MappingVersion } from "../../shared/db/mappings";
import type { RulesVersion } from "../../shared/db/rules";
import type { JudgedSnapshot, SnapshotProperties } from "../../shared/db/snapshots";
import type { ContactWork } from "./coalesce";
import type { Enriched, PropertyNames } from "./enrich";
import { type FieldLength, toLeadFields } from "./lead-mapping";
import { leadOrigin } from "./lead-origin";
import { type Properties, toMql } from "./mql";
import { emailDomain, qualify } from "./qualify";
import type { Qualified, Refused, StageRecord } from "./types";

export interface JudgeInput {
  work: ContactWork[];
  enriched: Enriched;
  /** The contacts' lead rows before this batch. */
  previous: Map<string, LeadRow>;
  rules: RulesVersion;
  /** The field mapping in force: it builds each qualified contact's Lead. */
  mapping: MappingVersion;
  /** The Lead fields' lengths (Salesforce's describe), for truncate to the field's length. */
  fieldLength?: FieldLength;
  /** Every property the reads asked for, of contacts and of companies. */
  read: PropertyNames;
  portalId: string;
  at: number;
  /** Survivors of a merge and the Lead re-keyed to them in this batch. */
  leadTakenOver?: Map<string, string>;
}

export interface Judged extends StageRecord {
  qualified: Qualified[];
  refused: Refused[];
}

/**
 * Judges each enriched contact against the rules in force: qualified (with its Salesforce lead)
 * or refused (with reasons). A contact whose Lead Salesforce already has is never refused: when
 * it fails the rules it is passed on as handed off, marked as no longer qualifying. A contact
 * HubSpot no longer has is settled as deleted; pure.
 */
export function judge(input: JudgeInput): Judged {
  const { work, enriched, previous, rules, mapping, read, portalId, at } = input;
  const judged: Judged & Required<Pick<StageRecord, "settled" | "leads" | "audits" | "snapshots">> =
    {
      qualified: [],
      refused: [],
      settled: [],
      leads: [],
      audits: [],
      snapshots: [],
    };
  for (const item of work) {
    const id = item.contactId;
    const before = previous.get(id);
    if (enriched.missing.has(id)) {
      judged.audits.push({ contactId: id, step: "not_found_in_hubspot", at });
      // A contact merged away is gone from HubSpot too: it stays "merged", pointing at its
      // survivor.
      if (before && before.status !== "merged")
        judged.leads.push({ ...before, status: "deleted", updated_at: at });
      judged.settled.push({
        work: item,
        status: before?.status === "merged" ? "merged" : "deleted",
        at,
      });
      continue;
    }
    const mql = toMql(
      portalId,
      id,
      enriched.contacts.get(id)!,
      enriched.companyOf.get(id),
      rules.rules,
      at,
    );
    const row = {
      contact_id: id,
      portal_id: portalId,
      lead_id: mql.leadId,
      status: "rejected" as const,
      source: mql.source,
      email_domain: mql.contactInfo.email ? (emailDomain(mql.contactInfo.email) ?? null) : null,
      reasons: "[]",
      rules_version: rules.version,
      engagement_score: mql.engagementScore,
      salesforce_lead_id: before?.salesforce_lead_id ?? input.leadTakenOver?.get(id) ?? null,
      first_event_at: item.firstOccurredAt,
      last_event_at: item.lastOccurredAt,
      judged_at: at,
      handed_off_at: null,
      feedback_key: before?.feedback_key ?? null,
      merged_into: null,
      updated_at: at,
      push_key: before?.push_key ?? null,
      criteria: JSON.stringify(mql.qualificationCriteriaMet),
      no_longer_qualifies: null,
      handoff_origin: before?.handoff_origin ?? null,
      converted_at: before?.converted_at ?? null,
      converted_contact_id: before?.converted_contact_id ?? null,
      converted_account_id: before?.converted_account_id ?? null,
      converted_opportunity_id: before?.converted_opportunity_id ?? null,
      salesforce_contact_id: before?.salesforce_contact_id ?? null,
      mapping_version: null as number | null,
      ...leadOrigin(enriched.contacts.get(id)!),
    };
    judged.audits.push({
      contactId: id,
      step: "enriched",
      detail: {
        hasCompany: enriched.companyOf.has(id),
        score: mql.engagementScore,
        criteria: mql.qualificationCriteriaMet,
      },
      at,
    });
    judged.snapshots.push(snapshotOf(id, enriched, read, rules.version, at));
    const judgement = qualify(mql, rules.rules);
    const contact = enriched.contacts.get(id)!;
    const company = enriched.companyOf.get(id);
    const lead = toLeadFields(
      mapping.mapping,
      { contactId: id, mql, contact, company },
      input.fieldLength,
    );
    if (judgement.qualified || row.salesforce_lead_id) row.mapping_version = mapping.version;
    if (judgement.qualified) judged.qualified.push({ work: item, row, status: "handed_off", lead });
    else if (row.salesforce_lead_id) {
      // A handoff is a fact: Salesforce has this contact's Lead, so the rules' word is recorded
      // only.
      const codes = [...new Set(judgement.rejections.map((r) => r.code))].sort();
      judged.qualified.push({
        work: item,
        row,
        status: "handed_off",
        lead,
        noLongerQualifies: codes,
      });
    } else
      judged.refused.push({ work: item, row, status: "rejected", reasons: judgement.rejections });
  }
  return judged;
}

/**
 * What a judgement read of a contact and its company: every asked key, null when HubSpot had no
 * value (so "not read" is not "empty"); leadbridge_* left out, the company's id kept.
 */
function snapshotOf(
  id: string,
  enriched: Enriched,
  read: PropertyNames,
  rulesVersion: number,
  at: number,
): JudgedSnapshot {
  const pick = (properties: Properties, names: string[]): SnapshotProperties =>
    Object.fromEntries(
      names.filter((n) => !n.startsWith("leadbridge_")).map((n) => [n, properties[n] ?? null]),
    );
  const company = enriched.companyOf.get(id);
  return {
    contactId: id,
    judgedAt: at,
    rulesVersion,
    contact: pick(enriched.contacts.get(id)!, read.contact),
    company: company
      ? { ...pick(company, read.company), hs_object_id: enriched.companyIdOf.get(id) ?? null }
      : null,
  };
}
