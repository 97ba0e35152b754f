/** One event subscription as HubSpot's webhooks API shows it (`SubscriptionResponse`). */
export interface EventSubscription {
  id: string;
  eventType: string;
  propertyName?: string;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

const FIRST_ID = 2_000_001;

/**
 * An app's event subscriptions: one per event type, and one per property for property changes.
 * Deliveries follow the active ones.
 */
export class EventSubscriptions {
  private byId = new Map<string, EventSubscription>();
  private next = FIRST_ID;

  list(): EventSubscription[] {
    return [...this.byId.values()];
  }

  get(id: string): EventSubscription | undefined {
    return this.byId.get(id);
  }

  find(eventType: string, propertyName?: string): EventSubscription | undefined {
    return this.list().find((s) => s.eventType === eventType && s.propertyName === propertyName);
  }

  create(eventType: string, propertyName: string | undefined, active: boolean): EventSubscription {
    const now = new Date().toISOString();
    const sub: EventSubscription = {
      id: String(this.next++),
      eventType,
      ...(propertyName === undefined ? {} : { propertyName }),
      active,
      createdAt: now,
      updatedAt: now,
    };
    this.byId.set(sub.id, sub);
    return sub;
  }

  setActive(id: string, active: boolean): EventSubscription | undefined {
    const sub = this.byId.get(id);
    if (!sub) return undefined;
    sub.active = active;
    sub.updatedAt = new Date().toISOString();
    return sub;
  }

  remove(id: string): boolean {
    return this.byId.delete(id);
  }

  /** The whole list at once (the sandbox's convenience route): ids start over. */
  replace(eventTypes: string[], propertyNames: string[]): void {
    this.byId.clear();
    this.next = FIRST_ID;
    for (const type of eventTypes) {
      if (!type.endsWith(".propertyChange")) this.create(type, undefined, true);
      else for (const name of propertyNames) this.create(type, name, true);
    }
  }

  /** The subscription an event of this type (and property) is delivered under, if active. */
  idFor(eventType: string, propertyName?: string): number | undefined {
    const sub = this.find(eventType, propertyName);
    return sub?.active ? Number(sub.id) : undefined;
  }

  /** What the list amounts to, in the convenience route's terms. */
  summary(): { eventTypes: string[]; propertyNames: string[] } {
    const active = this.list().filter((s) => s.active);
    return {
      eventTypes: [...new Set(active.map((s) => s.eventType))],
      propertyNames: [
        ...new Set(active.flatMap((s) => (s.propertyName === undefined ? [] : [s.propertyName]))),
      ],
    };
  }
}
