import { z } from "zod";
import { toHex } from "../hex";
import { LEAD_ORIGINS, type LeadOrigin } from "./outcomes";

export const MAX_EVENTS_PER_DELIVERY = 100;

const id = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)])
  .transform(String);

/**
 * One HubSpot webhook event. Unknown fields are dropped, not refused; the type key is
 * `subscriptionType` in real traffic and `eventType` on one doc page, so either is accepted.
 */
export const HubSpotEventSchema = z
  .object({
    eventId: id,
    subscriptionId: id.optional(),
    portalId: id,
    appId: id.optional(),
    occurredAt: z.number().int().nonnegative(),
    subscriptionType: z.string().min(1).max(100).optional(),
    eventType: z.string().min(1).max(100).optional(),
    attemptNumber: z.number().int().nonnegative().optional(),
    objectId: id.optional(),
    objectTypeId: z.string().max(20).optional(),
    changeSource: z.string().max(100).optional(),
    changeFlag: z.string().max(100).optional(),
    sourceId: z.string().max(200).nullish(),
    propertyName: z.string().max(200).optional(),
    propertyValue: z.string().max(65_536).nullish(),
    primaryObjectId: id.optional(),
    mergedObjectIds: z.array(id).max(1000).optional(),
    newObjectId: id.optional(),
    associationType: z.string().max(100).optional(),
    fromObjectId: id.optional(),
    toObjectId: id.optional(),
    associationRemoved: z.boolean().optional(),
  })
  .refine((e) => e.subscriptionType ?? e.eventType, {
    message: "subscriptionType (or eventType) is required",
  });

export type HubSpotEvent = z.infer<typeof HubSpotEventSchema>;

/**
 * An event of a type the handoff does not act on: only its type is checked, whatever else it
 * carries.
 */
const OtherEventSchema = z
  .object({
    subscriptionType: z.string().min(1).max(100).optional(),
    eventType: z.string().min(1).max(100).optional(),
  })
  .refine((e) => e.subscriptionType ?? e.eventType, {
    message: "subscriptionType (or eventType) is required",
  });

/** A contact event is held to HubSpotEventSchema; any other is acknowledged and counted (null). */
const DeliveryEventSchema = z.unknown().transform((value, ctx): HubSpotEvent | null => {
  const contact = isContactEvent(value);
  const result = (contact ? HubSpotEventSchema : OtherEventSchema).safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues)
      ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
    return z.NEVER;
  }
  return contact ? (result.data as HubSpotEvent) : null;
});

/**
 * A delivery: at most 100 events. An odd event of a type we do not handle never fails the batch
 * (HubSpot does not retry a 400, so the contact events beside it would be lost).
 */
export const HubSpotDeliverySchema = z
  .array(DeliveryEventSchema)
  .min(1)
  .max(MAX_EVENTS_PER_DELIVERY);

/**
 * Optional string fields of a contact event and their longest allowed lengths (HubSpotEventSchema).
 */
const EVENT_STRINGS: [string, number][] = [
  ["objectTypeId", 20],
  ["changeSource", 100],
  ["changeFlag", 100],
  ["propertyName", 200],
  ["associationType", 100],
];
const EVENT_NULLISH_STRINGS: [string, number][] = [
  ["sourceId", 200],
  ["propertyValue", 65_536],
];
const EVENT_IDS = ["eventId", "portalId"] as const;
const EVENT_OPTIONAL_IDS = [
  "subscriptionId",
  "appId",
  "objectId",
  "primaryObjectId",
  "newObjectId",
  "fromObjectId",
  "toObjectId",
] as const;
const ID_TEXT = /^\d{1,20}$/;

/**
 * An id as the schema reads it (a safe non-negative integer or 1–20 digits), as a string;
 * undefined when the schema must judge.
 */
function plainId(v: unknown): string | undefined {
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0 ? String(v) : undefined;
  return typeof v === "string" && ID_TEXT.test(v) ? v : undefined;
}
const shortString = (v: unknown, min: number, max: number) =>
  typeof v === "string" && v.length >= min && v.length <= max;

/**
 * A contact event HubSpotEventSchema accepts, built as the schema would (ids as strings, unknown
 * fields dropped); undefined when in doubt.
 */
function plainContactEvent(e: Record<string, unknown>): HubSpotEvent | undefined {
  const out: Record<string, unknown> = {};
  for (const key of EVENT_IDS) {
    const v = plainId(e[key]);
    if (v === undefined) return undefined;
    out[key] = v;
  }
  for (const key of EVENT_OPTIONAL_IDS) {
    if (!(key in e)) continue;
    const v = plainId(e[key]);
    if (v === undefined) return undefined;
    out[key] = v;
  }
  if (!Number.isSafeInteger(e.occurredAt) || (e.occurredAt as number) < 0) return undefined;
  out.occurredAt = e.occurredAt;
  for (const key of ["subscriptionType", "eventType"]) {
    if (!(key in e)) continue;
    if (!shortString(e[key], 1, 100)) return undefined;
    out[key] = e[key];
  }
  for (const [key, max] of EVENT_STRINGS) {
    if (!(key in e)) continue;
    if (!shortString(e[key], 0, max)) return undefined;
    out[key] = e[key];
  }
  for (const [key, max] of EVENT_NULLISH_STRINGS) {
    if (!(key in e)) continue;
    if (e[key] !== null && !shortString(e[key], 0, max)) return undefined;
    out[key] = e[key];
  }
  if ("attemptNumber" in e) {
    if (!Number.isSafeInteger(e.attemptNumber) || (e.attemptNumber as number) < 0) return undefined;
    out.attemptNumber = e.attemptNumber;
  }
  if ("associationRemoved" in e) {
    if (typeof e.associationRemoved !== "boolean") return undefined;
    out.associationRemoved = e.associationRemoved;
  }
  if ("mergedObjectIds" in e) {
    const ids = e.mergedObjectIds;
    if (!Array.isArray(ids) || ids.length > 1000) return undefined;
    const merged: string[] = [];
    for (const m of ids) {
      const v = plainId(m);
      if (v === undefined) return undefined;
      merged.push(v);
    }
    out.mergedObjectIds = merged;
  }
  return out as HubSpotEvent;
}

/**
 * An event of another type that OtherEventSchema accepts: a type (either key) of 1–100
 * characters, and nothing malformed beside it.
 */
function plainOtherEvent(e: Record<string, unknown>): boolean {
  const typed = (key: string) => !(key in e) || shortString(e[key], 1, 100);
  return (
    typed("subscriptionType") && typed("eventType") && ("subscriptionType" in e || "eventType" in e)
  );
}

/**
 * Parses a webhook delivery (already JSON.parse'd). The webhook answers HubSpot within its time
 * limit and zod runs without its compiled fast path in Workers (no eval): a well-formed delivery
 * is checked by hand and built exactly as the schema would build it; anything else goes through
 * the schema, for its result or its error.
 */
export function parseHubSpotDelivery(
  json: unknown,
): ReturnType<typeof HubSpotDeliverySchema.safeParse> {
  if (Array.isArray(json) && json.length >= 1 && json.length <= MAX_EVENTS_PER_DELIVERY) {
    const events: (HubSpotEvent | null)[] = [];
    for (const value of json) {
      if (typeof value !== "object" || value === null || Array.isArray(value)) break;
      const e = value as Record<string, unknown>;
      const event = isContactEvent(e)
        ? plainContactEvent(e)
        : plainOtherEvent(e)
          ? null
          : undefined;
      if (event === undefined) break;
      events.push(event);
    }
    if (events.length === json.length)
      return { success: true, data: events } as ReturnType<typeof HubSpotDeliverySchema.safeParse>;
  }
  return HubSpotDeliverySchema.safeParse(json);
}

function isContactEvent(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const { subscriptionType, eventType, objectTypeId } = value as Record<string, unknown>;
  const raw =
    typeof subscriptionType === "string"
      ? subscriptionType
      : typeof eventType === "string"
        ? eventType
        : "";
  return contactTypeOf(raw, objectTypeId) !== undefined;
}

/** Contact event types the handoff acts on; others are acknowledged and counted. */
export const CONTACT_EVENT_TYPES = [
  "contact.creation",
  "contact.propertyChange",
  "contact.deletion",
  "contact.merge",
  "contact.associationChange",
  "contact.restore",
  "contact.privacyDeletion",
] as const;
export type ContactEventType = (typeof CONTACT_EVENT_TYPES)[number];

/**
 * One normalised event about one contact; lead-events messages carry them (see LeadEventsMessage).
 */
export const LeadEventSchema = z.object({
  key: z.string(),
  portalId: z.string(),
  eventId: z.string(),
  type: z.enum(CONTACT_EVENT_TYPES),
  contactId: z.string(),
  occurredAt: z.number(),
  receivedAt: z.number(),
  propertyName: z.string().optional(),
  mergedIds: z.array(z.string()).optional(),
  /** Set on admin resyncs and backfills before `origin` existed. */
  resync: z.boolean().optional(),
  /** Absent on webhook events (and on every message from before origins): see originOf. */
  origin: z.enum(LEAD_ORIGINS).optional(),
  /**
   * Backfills only: the contact's properties as HubSpot's search returned them at `at` (every
   * property asked for, null when unset), so the handoff need not read the contact again.
   */
  snapshot: z
    .object({ at: z.number(), properties: z.record(z.string(), z.string().nullable()) })
    .optional(),
});
export type LeadEvent = z.infer<typeof LeadEventSchema>;
export type ContactSnapshot = NonNullable<LeadEvent["snapshot"]>;

/**
 * Where an event came from; an old message without `origin` is a webhook event unless marked
 * resync.
 */
export function originOf(event: Pick<LeadEvent, "origin" | "resync">): LeadOrigin {
  return event.origin ?? (event.resync ? "resync" : "webhook");
}

/**
 * The window around its arrival in which an event's own time is believed: HubSpot retries a
 * delivery for up to a day, so a week back is generous; a clock more than 5 minutes ahead is wrong.
 */
export const EVENT_CLOCK_WINDOW = { pastMs: 7 * 86_400_000, aheadMs: 5 * 60_000 } as const;

/**
 * When the event happened as far as Leadbridge can tell: its occurredAt, or its arrival when that
 * time cannot be true.
 */
export function trustedTime(event: Pick<LeadEvent, "occurredAt" | "receivedAt">): number {
  const { occurredAt, receivedAt } = event;
  const trusted =
    occurredAt >= receivedAt - EVENT_CLOCK_WINDOW.pastMs &&
    occurredAt <= receivedAt + EVENT_CLOCK_WINDOW.aheadMs;
  return trusted ? occurredAt : receivedAt;
}

/**
 * The webhook delivery a message came from, counted once by the consumer for the nightly report.
 */
export const DeliveryCountSchema = z.object({
  id: z.string().min(1).max(100),
  receivedAt: z.number(),
  events: z.number().int().nonnegative(),
  ignored: z.number().int().nonnegative(),
  /** Events for another portal or app, dropped unjudged (absent: none, or an older message). */
  foreign: z.number().int().nonnegative().optional(),
});
export type DeliveryCount = z.infer<typeof DeliveryCountSchema>;

/**
 * What the webhook puts on the queue: one message per delivery, holding its contact events (at
 * most 100). A new contact arrives as about nine events (creation, property changes, the company
 * association); a message per event would fill a consumer batch of 100 with ~11 contacts, a
 * message per delivery lets one batch judge many hundreds with the same few batch calls.
 * `contactId` is set when every event is about that one contact (dead letters, holds).
 */
export const LeadEventsMessageSchema = z
  .object({
    contactId: z.string().optional(),
    // Empty only for a delivery with no contact events: the message then just counts it.
    events: z.array(LeadEventSchema).max(MAX_EVENTS_PER_DELIVERY),
    delivery: DeliveryCountSchema.optional(),
  })
  .refine((m) => m.events.length > 0 || m.delivery !== undefined, {
    message: "must hold at least one event",
    path: ["events"],
  })
  .refine((m) => m.contactId === undefined || m.events.every((e) => e.contactId === m.contactId), {
    message: "every event must be about the message's contactId",
    path: ["events"],
  });
export type LeadEventsMessage = z.infer<typeof LeadEventsMessageSchema>;

/**
 * A lead-events queue body: a delivery's events, or one event (admin resync, backfill, replays from
 * before grouping).
 */
export const LeadQueueBodySchema = z.union([LeadEventsMessageSchema, LeadEventSchema]);
export type LeadQueueBody = z.infer<typeof LeadQueueBodySchema>;

const EVENT_KEYS = new Set([
  "key",
  "portalId",
  "eventId",
  "type",
  "contactId",
  "occurredAt",
  "receivedAt",
  "propertyName",
  "mergedIds",
  "resync",
  "origin",
  "snapshot",
]);
const ORIGINS = new Set<string>(LEAD_ORIGINS);
const BODY_KEYS = new Set(["contactId", "events", "delivery"]);
const SNAPSHOT_KEYS = new Set(["at", "properties"]);
const DELIVERY_KEYS = new Set(["id", "receivedAt", "events", "ignored", "foreign"]);
const TYPES = new Set<string>(CONTACT_EVENT_TYPES);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const onlyKeys = (v: Record<string, unknown>, keys: Set<string>) =>
  Object.keys(v).every((k) => keys.has(k));
const count = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 0;

function isLeadEvent(e: unknown): boolean {
  return (
    isObject(e) &&
    onlyKeys(e, EVENT_KEYS) &&
    typeof e.key === "string" &&
    typeof e.portalId === "string" &&
    typeof e.eventId === "string" &&
    typeof e.contactId === "string" &&
    typeof e.type === "string" &&
    TYPES.has(e.type) &&
    Number.isFinite(e.occurredAt) &&
    Number.isFinite(e.receivedAt) &&
    (e.propertyName === undefined || typeof e.propertyName === "string") &&
    (e.resync === undefined || typeof e.resync === "boolean") &&
    (e.origin === undefined || (typeof e.origin === "string" && ORIGINS.has(e.origin))) &&
    (e.mergedIds === undefined ||
      (Array.isArray(e.mergedIds) && e.mergedIds.every((m) => typeof m === "string"))) &&
    (e.snapshot === undefined || isSnapshot(e.snapshot))
  );
}

function isSnapshot(s: unknown): boolean {
  if (!isObject(s) || !onlyKeys(s, SNAPSHOT_KEYS) || !Number.isFinite(s.at)) return false;
  if (!isObject(s.properties)) return false;
  for (const v of Object.values(s.properties))
    if (v !== null && typeof v !== "string") return false;
  return true;
}

/**
 * What the schema accepts, checked by hand: true means the schema would return the body unchanged.
 */
function isPlainLeadQueueBody(body: unknown): body is LeadQueueBody {
  if (!isObject(body)) return false;
  if (!("events" in body)) return isLeadEvent(body);
  const { contactId, events, delivery } = body;
  if (
    !onlyKeys(body, BODY_KEYS) ||
    !Array.isArray(events) ||
    events.length > MAX_EVENTS_PER_DELIVERY
  )
    return false;
  if (contactId !== undefined && typeof contactId !== "string") return false;
  if (delivery !== undefined) {
    if (
      !isObject(delivery) ||
      !onlyKeys(delivery, DELIVERY_KEYS) ||
      typeof delivery.id !== "string" ||
      delivery.id.length < 1 ||
      delivery.id.length > 100
    )
      return false;
    if (
      !Number.isFinite(delivery.receivedAt) ||
      !count(delivery.events) ||
      !count(delivery.ignored) ||
      (delivery.foreign !== undefined && !count(delivery.foreign))
    )
      return false;
  } else if (events.length === 0) return false;
  return events.every(
    (e) =>
      isLeadEvent(e) &&
      (contactId === undefined || (e as { contactId: string }).contactId === contactId),
  );
}

/**
 * Parses a queue body. The consumer reads up to 100 of them per batch, and zod runs without its
 * compiled fast path in Workers (no eval): well-formed bodies are checked by hand and returned
 * as they are; anything else goes through the schema, for its result or its error.
 */
export function parseLeadQueueBody(
  body: unknown,
): ReturnType<typeof LeadQueueBodySchema.safeParse> {
  if (isPlainLeadQueueBody(body))
    return { success: true, data: body } as ReturnType<typeof LeadQueueBodySchema.safeParse>;
  return LeadQueueBodySchema.safeParse(body);
}

/** The events a queue body carries. */
export function eventsOf(body: LeadQueueBody): LeadEvent[] {
  return "events" in body ? body.events : [body];
}

/** Groups events by contact, first appearance first, each contact's events in their order. */
export function groupByContact(events: LeadEvent[]): Map<string, LeadEvent[]> {
  const groups = new Map<string, LeadEvent[]>();
  for (const event of events) {
    const list = groups.get(event.contactId);
    if (list) list.push(event);
    else groups.set(event.contactId, [event]);
  }
  return groups;
}

/** Under a queue message's 128 KB, with room for the envelope. */
export const MESSAGE_MAX_BYTES = 100_000;

/**
 * Packs events into as few queue bodies as fit a message each (one, unless merges list thousands of
 * ids).
 */
export function packEvents(events: LeadEvent[]): LeadEventsMessage[] {
  // The usual delivery fits one message: measured once, not event by event.
  if (events.length && JSON.stringify(events).length <= MESSAGE_MAX_BYTES) return [{ events }];
  const packed: LeadEventsMessage[] = [];
  let current: LeadEvent[] = [];
  let size = 0;
  for (const event of events) {
    const bytes = JSON.stringify(event).length + 1;
    if (current.length && size + bytes > MESSAGE_MAX_BYTES) {
      packed.push({ events: current });
      current = [];
      size = 0;
    }
    current.push(event);
    size += bytes;
  }
  if (current.length) packed.push({ events: current });
  return packed;
}

/**
 * Whether a delivered event (as HubSpot sent it) names another portal or app than the one
 * configured: such events are counted and dropped, never judged. A missing appId is not a mismatch.
 */
export function isForeignEvent(raw: unknown, ours: { portalId: string; appId: string }): boolean {
  if (typeof raw !== "object" || raw === null) return false;
  const { portalId, appId } = raw as Record<string, unknown>;
  const differs = (v: unknown, want: string) =>
    (typeof v === "number" || typeof v === "string") && String(v) !== want;
  return differs(portalId, ours.portalId) || differs(appId, ours.appId);
}

/**
 * The id a delivery is counted under: the same for HubSpot's retries of it, which resend its events
 * with a higher attemptNumber, so a delivery retried after a slow or lost answer counts once. An
 * event is known by its id, subscription, portal and time (HubSpot's eventId names one event), so
 * the whole event is not serialized again on the ack's path; an event without a usable eventId by
 * its content without attemptNumber.
 */
export async function deliveryIdOf(raw: unknown[]): Promise<string> {
  const lines = raw
    .map((e) => {
      if (typeof e !== "object" || e === null) return JSON.stringify(e);
      const event = e as Record<string, unknown>;
      const id = event.eventId;
      if (typeof id === "number" || (typeof id === "string" && /^\d+$/.test(id)))
        return `${id}|${String(event.subscriptionId)}|${String(event.portalId)}|${String(event.occurredAt)}`;
      const { attemptNumber: _attempt, ...rest } = event;
      return JSON.stringify(rest);
    })
    .sort();
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(lines.join("\n")));
  const hex = toHex(digest);
  return `hs-${hex.slice(0, 40)}`;
}

/** Maps a generic `object.*` event on contacts (objectTypeId 0-1) to its `contact.*` name. */
export function contactEventType(event: HubSpotEvent): ContactEventType | undefined {
  return contactTypeOf(event.subscriptionType ?? event.eventType ?? "", event.objectTypeId);
}

function contactTypeOf(raw: string, objectTypeId: unknown): ContactEventType | undefined {
  const name =
    raw.startsWith("object.") && objectTypeId === "0-1" ? `contact.${raw.slice(7)}` : raw;
  return (CONTACT_EVENT_TYPES as readonly string[]).includes(name)
    ? (name as ContactEventType)
    : undefined;
}

/**
 * Normalises an accepted event for the queue; undefined when it is not about a contact we handle.
 */
export function toLeadEvent(event: HubSpotEvent, receivedAt: number): LeadEvent | undefined {
  const type = contactEventType(event);
  if (!type) return undefined;
  const contactId =
    type === "contact.merge"
      ? (event.newObjectId ?? event.primaryObjectId ?? event.objectId)
      : type === "contact.associationChange"
        ? (event.fromObjectId ?? event.objectId)
        : event.objectId;
  if (!contactId) return undefined;
  return {
    // eventId alone is not guaranteed unique; with type, object and time it names one event.
    key: `${event.portalId}:${event.eventId}:${type}:${contactId}:${event.occurredAt}`,
    portalId: event.portalId,
    eventId: event.eventId,
    type,
    contactId,
    occurredAt: event.occurredAt,
    receivedAt,
    ...(event.propertyName ? { propertyName: event.propertyName } : {}),
    ...(type === "contact.merge"
      ? {
          mergedIds: [
            ...(event.mergedObjectIds ?? []),
            ...(event.primaryObjectId ? [event.primaryObjectId] : []),
          ].filter((m) => m !== contactId),
        }
      : {}),
  };
}
