import { OBJECT_TYPES } from "../schema";
import type { StoreEvent } from "../store";
import type { EventSubscriptions } from "./event-subscriptions";
import type { Subscription } from "./subscription";

/** One event as HubSpot posts it, field order as in HubSpot's own payloads. */
export interface WebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId?: number;
  propertyName?: string;
  propertyValue?: string;
  changeSource: string;
  changeFlag?: string;
  sourceId?: string;
  associationType?: string;
  fromObjectId?: number;
  toObjectId?: number;
  associationRemoved?: boolean;
  isPrimaryAssociation?: boolean;
  primaryObjectId?: number;
  mergedObjectIds?: number[];
  newObjectId?: number;
  numberOfPropertiesMoved?: number;
  appId: number;
}

// Webhooks only exist for these object types; notes never produce events.
const WEBHOOK_OBJECTS = new Set(["contacts", "companies"]);

/**
 * The webhook events a store change produces under the app's active event subscriptions (none
 * when not subscribed).
 */
export function toWebhookEvents(
  event: StoreEvent,
  sub: Subscription,
  subscriptions: EventSubscriptions,
  nextEventId: () => number,
): WebhookEvent[] {
  const objectType = event.kind === "associationChange" ? event.fromType : event.type;
  if (!sub.active || !WEBHOOK_OBJECTS.has(objectType)) return [];
  const singular = OBJECT_TYPES[objectType].singular;
  const subscriptionType = `${singular}.${event.kind}`;
  const propertyName = event.kind === "propertyChange" ? event.name : undefined;
  const subscriptionId = subscriptions.idFor(subscriptionType, propertyName);
  if (subscriptionId === undefined) return [];

  const head = {
    eventId: nextEventId(),
    subscriptionId,
    portalId: sub.portalId,
    occurredAt: event.at,
    subscriptionType,
    attemptNumber: 0,
  };
  const source = {
    changeSource: event.source.changeSource,
    ...(event.source.sourceId ? { sourceId: event.source.sourceId } : {}),
  };
  switch (event.kind) {
    case "creation":
      return [
        {
          ...head,
          objectId: Number(event.id),
          changeSource: source.changeSource,
          changeFlag: "NEW",
          ...tail(source, sub),
        },
      ];
    case "propertyChange":
      return [
        {
          ...head,
          objectId: Number(event.id),
          propertyName: event.name,
          propertyValue: event.value,
          changeSource: source.changeSource,
          ...tail(source, sub),
        },
      ];
    case "deletion":
      return [
        {
          ...head,
          objectId: Number(event.id),
          changeSource: source.changeSource,
          changeFlag: "DELETED",
          ...tail(source, sub),
        },
      ];
    case "merge":
      return [
        {
          ...head,
          objectId: Number(event.primaryId),
          changeSource: source.changeSource,
          changeFlag: "MERGED",
          primaryObjectId: Number(event.primaryId),
          mergedObjectIds: [Number(event.mergedId)],
          newObjectId: Number(event.primaryId),
          ...tail(source, sub),
        },
      ];
    case "associationChange": {
      if (!WEBHOOK_OBJECTS.has(event.toType)) return [];
      const to = OBJECT_TYPES[event.toType].singular;
      return [
        {
          ...head,
          changeSource: source.changeSource,
          associationType: `${singular}_TO_${to}`.toUpperCase(),
          fromObjectId: Number(event.fromId),
          toObjectId: Number(event.toId),
          associationRemoved: event.removed,
          isPrimaryAssociation: false,
          ...tail(source, sub),
        },
      ];
    }
  }
}

function tail(source: { sourceId?: string }, sub: Subscription) {
  return { ...(source.sourceId ? { sourceId: source.sourceId } : {}), appId: sub.appId };
}
