import { DEFAULT_MAPPING, type Mapping } from "../../shared/contracts/mapping";
import type { Rules } from "../../shared/contracts/rules";
import type {
  HubSpotSubscription,
  NeededSubscription,
  SubscriptionsReport,
} from "../../shared/contracts/subscriptions";
import { CONTACT_EVENT_TYPES } from "../../shared/contracts/webhook";
import { propertiesRead } from "./criteria";
import { mappingProperties } from "./lead-mapping";
import { SUBSCRIBED_PROPERTIES } from "./mql";

const PROPERTY_CHANGE = "contact.propertyChange";

/**
 * The webhook subscriptions the handoff needs under these rules and this field mapping: every
 * contact event type it handles, and a property change per contact property a judgement reads or
 * the mapping sends to Salesforce (leadbridge_* never: the handoff writes them, and hearing its
 * own writes would loop).
 */
export function neededSubscriptions(
  rules: Rules,
  mapping: Mapping = DEFAULT_MAPPING,
): NeededSubscription[] {
  const properties = [
    ...new Set([
      ...SUBSCRIBED_PROPERTIES,
      ...propertiesRead(rules).contact,
      ...mappingProperties(mapping).contact,
    ]),
  ].filter((p) => !p.startsWith("leadbridge_"));
  return [
    ...CONTACT_EVENT_TYPES.filter((t) => t !== PROPERTY_CHANGE).map((eventType) => ({ eventType })),
    ...properties.map((propertyName) => ({ eventType: PROPERTY_CHANGE, propertyName })),
  ];
}

const keyOf = (s: NeededSubscription) => `${s.eventType}:${s.propertyName ?? ""}`;

/** Needed against subscribed: what is missing, what is extra, and a sentence for the admin. */
export function compareSubscriptions(
  rules: Rules,
  rulesVersion: number,
  subscribed: HubSpotSubscription[],
  mapping: Mapping = DEFAULT_MAPPING,
): SubscriptionsReport {
  const needed = neededSubscriptions(rules, mapping);
  const active = new Set(subscribed.filter((s) => s.active).map(keyOf));
  const neededKeys = new Set(needed.map(keyOf));
  const missing = needed.filter((s) => !active.has(keyOf(s)));
  const extra = subscribed.filter((s) => s.active && !neededKeys.has(keyOf(s)));
  const notCovered = [
    ...new Set([...propertiesRead(rules).company, ...mappingProperties(mapping).company]),
  ].sort();
  return {
    rulesVersion,
    needed,
    subscribed,
    missing,
    extra,
    notCovered,
    message: describe(rulesVersion, missing, extra, notCovered),
  };
}

const named = (s: NeededSubscription) =>
  s.propertyName ? `${s.eventType} (${s.propertyName})` : s.eventType;

function describe(
  version: number,
  missing: NeededSubscription[],
  extra: NeededSubscription[],
  notCovered: string[],
): string {
  const parts = [
    missing.length === 0
      ? `HubSpot sends every event the rules in force (version ${version}) need.`
      : `HubSpot lacks ${missing.length} subscription${missing.length === 1 ? "" : "s"} the rules in force (version ${version}) need: ${missing.map(named).join(", ")}; POST /admin/subscriptions/sync (npm run admin -- subscriptions sync) creates ${missing.length === 1 ? "it" : "them"}.`,
  ];
  if (extra.length > 0)
    parts.push(
      `${extra.length} active subscription${extra.length === 1 ? " is" : "s are"} not needed (${extra.map(named).join(", ")}): left as they are; the handoff ignores what it does not use.`,
    );
  if (notCovered.length > 0)
    parts.push(
      `The rules or the field mapping read company properties (${notCovered.join(", ")}): a company change does not trigger a new judgement, so its contacts are judged again on their own next change or a resync (POST /admin/resync).`,
    );
  return parts.join(" ");
}
