import { type PropertyProblem, propertyProblem, propertyValuesError } from "./errors";
import type { PropertySchema } from "./property-schema";
import { OBJECT_TYPES, type ObjectType, type PropertyDef } from "./schema";

/** A validated write: property name to stored string, or null to clear it. */
export type PropertyWrite = Map<string, string | null>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** HubSpot's limit on any string property value. */
const STRING_MAX = 65_536;

/**
 * Checks a `properties` object of a create or update the way HubSpot does, collecting every
 * problem before refusing so the caller sees them all in one VALIDATION_ERROR.
 */
export function validatePropertyWrite(
  schema: PropertySchema,
  type: ObjectType,
  input: unknown,
  portalId: number,
  opts: { creating: boolean; allowReadOnly?: boolean },
): PropertyWrite {
  const problems: PropertyProblem[] = [];
  const out: PropertyWrite = new Map();
  const entries =
    input && typeof input === "object" ? Object.entries(input as Record<string, unknown>) : [];
  for (const [name, raw] of entries) {
    const def = schema.get(type, name);
    if (!def) {
      problems.push(
        propertyProblem(
          name,
          "PROPERTY_DOESNT_EXIST",
          `Property "${name}" does not exist`,
          portalId,
        ),
      );
      continue;
    }
    if (def.readOnly && !opts.allowReadOnly) {
      problems.push(
        propertyProblem(
          name,
          "READ_ONLY_VALUE",
          `Property "${name}" is a read only property`,
          portalId,
        ),
      );
      continue;
    }
    const checked = coerceValue(def, raw);
    if (typeof checked === "object" && checked !== null) {
      problems.push(propertyProblem(name, checked.error, checked.message, portalId));
      continue;
    }
    out.set(name, checked);
  }
  if (opts.creating) {
    for (const name of OBJECT_TYPES[type].required) {
      if (out.get(name) == null) {
        problems.push(
          propertyProblem(
            name,
            "MISSING_REQUIRED_PROPERTY",
            `Property "${name}" is required`,
            portalId,
          ),
        );
      }
    }
  }
  if (problems.length > 0) throw propertyValuesError(problems);
  return out;
}

type Coerced = string | null | { error: string; message: string };

function coerceValue(def: PropertyDef, raw: unknown): Coerced {
  if (raw === null || raw === undefined || raw === "") return null;
  if (typeof raw === "object") {
    return {
      error: "INVALID_VALUE",
      message: `${JSON.stringify(raw)} is not a valid value for ${def.name}`,
    };
  }
  const value = String(raw);
  switch (def.type) {
    case "number":
      return Number.isFinite(Number(value.trim()))
        ? value.trim()
        : { error: "INVALID_INTEGER", message: `${value} was not a valid number.` };
    case "datetime": {
      const ms = toEpochMs(value);
      return ms === undefined
        ? { error: "INVALID_DATE", message: `${value} was not a valid long or ISO 8601 date.` }
        : new Date(ms).toISOString();
    }
    case "enumeration":
      return def.options?.some((o) => o.value === value)
        ? value
        : {
            error: "INVALID_OPTION",
            message: `${value} was not one of the allowed options: [${def.options?.map((o) => o.value).join(", ") ?? ""}]`,
          };
    case "string":
      if (def.name === "email" && !EMAIL.test(value)) {
        return { error: "INVALID_EMAIL", message: `Email address ${value} is invalid` };
      }
      if (value.length > (def.maxLength ?? STRING_MAX)) {
        return {
          error: "INVALID_STRING_LENGTH",
          message: `${def.name} has a maximum length of ${def.maxLength ?? STRING_MAX} characters but was ${value.length}`,
        };
      }
      return value;
  }
}

/** HubSpot takes datetimes as epoch milliseconds or ISO 8601 strings. */
export function toEpochMs(value: string): number | undefined {
  if (/^-?\d+$/.test(value.trim())) return Number(value.trim());
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}
