import { entryOf } from "../common/map-entry";
import { associationTypeById } from "./association-types";
import type { ObjectType } from "./schema";

export interface AssociatedObject {
  toId: string;
  typeIds: number[];
}

type Side = Map<ObjectType, Map<string, Set<number>>>;

const key = (type: ObjectType, id: string) => `${type}:${id}`;
export const byNumericId = (a: string, b: string) => Number(a) - Number(b);

/** Associations kept in both directions, as HubSpot shows them from either side. */
export class AssociationGraph {
  private sides = new Map<string, Side>();

  /** Adds a typed edge and its inverse; returns false if the pair was already associated. */
  add(from: ObjectType, fromId: string, to: ObjectType, toId: string, typeId: number): boolean {
    const wasLinked = this.typeIds(from, fromId, to, toId).length > 0;
    this.edge(from, fromId, to, toId).add(typeId);
    const inverse = associationTypeById(typeId)?.inverse;
    if (inverse !== undefined) this.edge(to, toId, from, fromId).add(inverse);
    return !wasLinked;
  }

  /** Removes every type between the pair; returns whether anything was removed. */
  remove(from: ObjectType, fromId: string, to: ObjectType, toId: string): boolean {
    const had = this.typeIds(from, fromId, to, toId).length > 0;
    this.sides.get(key(from, fromId))?.get(to)?.delete(toId);
    this.sides.get(key(to, toId))?.get(from)?.delete(fromId);
    return had;
  }

  typeIds(from: ObjectType, fromId: string, to: ObjectType, toId: string): number[] {
    return [...(this.sides.get(key(from, fromId))?.get(to)?.get(toId) ?? [])].sort((a, b) => a - b);
  }

  list(from: ObjectType, fromId: string, to: ObjectType): AssociatedObject[] {
    const targets = this.sides.get(key(from, fromId))?.get(to);
    if (!targets) return [];
    return [...targets.entries()]
      .filter(([, types]) => types.size > 0)
      .map(([toId, types]) => ({ toId, typeIds: [...types].sort((a, b) => a - b) }))
      .sort((a, b) => byNumericId(a.toId, b.toId));
  }

  /** Every object type this object has associations to, with the ids. */
  all(from: ObjectType, fromId: string): { to: ObjectType; targets: AssociatedObject[] }[] {
    const side = this.sides.get(key(from, fromId));
    if (!side) return [];
    return [...side.keys()].map((to) => ({ to, targets: this.list(from, fromId, to) }));
  }

  clear(): void {
    this.sides.clear();
  }

  private edge(from: ObjectType, fromId: string, to: ObjectType, toId: string): Set<number> {
    const side = entryOf(this.sides, key(from, fromId), () => new Map());
    const targets = entryOf(side, to, () => new Map<string, Set<number>>());
    return entryOf(targets, toId, () => new Set<number>());
  }
}
