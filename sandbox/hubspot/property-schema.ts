import { LEADBRIDGE_GROUP, LEADBRIDGE_PROPERTIES } from "../../shared/hubspot/properties";
import {
  BUILT_IN_GROUP_LABELS,
  BUILT_IN_PROPERTIES,
  type ObjectType,
  type PropertyDef,
} from "./schema";

export interface PropertyGroupDef {
  name: string;
  label: string;
  displayOrder: number;
}

export interface SchemaOptions {
  /**
   * Seed the `leadbridge_*` contact properties and their group, as a portal where
   * `npm run setup:hubspot` has run (default). False gives a portal where it has not.
   */
  leadbridgeProperties?: boolean;
}

const TYPES: ObjectType[] = ["contacts", "companies", "notes"];

/** A portal's property definitions and groups: HubSpot's built-in ones plus custom ones. */
export class PropertySchema {
  private props = {} as Record<ObjectType, Map<string, PropertyDef>>;
  private groupsByType = {} as Record<ObjectType, Map<string, PropertyGroupDef>>;

  constructor(opts: SchemaOptions = {}) {
    this.reset(opts);
  }

  reset({ leadbridgeProperties = true }: SchemaOptions = {}): void {
    for (const type of TYPES) {
      this.props[type] = new Map(BUILT_IN_PROPERTIES[type].map((p) => [p.name, p]));
      const names = [...new Set(BUILT_IN_PROPERTIES[type].map((p) => p.groupName))];
      this.groupsByType[type] = new Map(
        names.map((name, displayOrder) => [
          name,
          { name, label: BUILT_IN_GROUP_LABELS[name] ?? name, displayOrder },
        ]),
      );
    }
    if (!leadbridgeProperties) return;
    this.addGroup("contacts", { ...LEADBRIDGE_GROUP });
    for (const def of LEADBRIDGE_PROPERTIES) {
      this.add("contacts", {
        ...def,
        options: def.options?.map((o) => ({ ...o })),
        hubspotDefined: false,
      });
    }
  }

  get(type: ObjectType, name: string): PropertyDef | undefined {
    return this.props[type].get(name);
  }

  list(type: ObjectType): PropertyDef[] {
    return [...this.props[type].values()];
  }

  add(type: ObjectType, def: PropertyDef, at = new Date()): PropertyDef {
    const stamp = at.toISOString();
    const stored = { ...def, createdAt: stamp, updatedAt: stamp };
    this.props[type].set(def.name, stored);
    return stored;
  }

  replace(type: ObjectType, def: PropertyDef, at = new Date()): PropertyDef {
    const stored = { ...def, updatedAt: at.toISOString() };
    this.props[type].set(def.name, stored);
    return stored;
  }

  group(type: ObjectType, name: string): PropertyGroupDef | undefined {
    return this.groupsByType[type].get(name);
  }

  groups(type: ObjectType): PropertyGroupDef[] {
    return [...this.groupsByType[type].values()];
  }

  addGroup(type: ObjectType, group: PropertyGroupDef): PropertyGroupDef {
    this.groupsByType[type].set(group.name, group);
    return group;
  }
}
