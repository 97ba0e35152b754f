import { Hono } from "hono";
import { z } from "zod";
import { errorBody, HubSpotError, validationError } from "../errors";
import { objectTypeOrThrow } from "../object-writes";
import type { PropertyGroupDef, PropertySchema } from "../property-schema";
import { readBody } from "../request";
import { OBJECT_TYPES, type ObjectType, type PropertyDef } from "../schema";

const SCHEMA_DATE = "2019-08-06T02:41:52.000Z";

// The types the sandbox can check values of; HubSpot has bool, date and phone_number too.
const TYPES = ["string", "number", "datetime", "enumeration"] as const;
const FIELD_TYPES: Record<(typeof TYPES)[number], string[]> = {
  string: ["text", "textarea", "html", "phonenumber", "file"],
  number: ["number", "calculation_equation"],
  datetime: ["date"],
  enumeration: ["select", "radio", "checkbox", "booleancheckbox"],
};

const OptionInput = z.object({
  label: z.string().min(1),
  value: z.string().min(1),
  description: z.string().optional(),
  displayOrder: z.number().int().optional(),
  hidden: z.boolean(),
});
const PropertyFields = {
  label: z.string().min(1),
  type: z.enum(TYPES, {
    message: `the sandbox supports property types ${TYPES.join(", ")}`,
  }),
  fieldType: z.string().min(1),
  groupName: z.string().min(1),
  description: z.string().optional(),
  options: z.array(OptionInput).optional(),
  displayOrder: z.number().int().optional(),
  formField: z.boolean().optional(),
  hidden: z.boolean().optional(),
};
const PropertyCreate = z.object({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, "must start with a letter and hold lower-case letters, digits, _"),
  ...PropertyFields,
  hasUniqueValue: z.boolean().optional(),
});
const PropertyUpdate = z.object(PropertyFields).partial();
const GroupCreate = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/),
  label: z.string().min(1),
  displayOrder: z.number().int().optional(),
});

/** `/crm/v3/properties/{objectType}`: the portal's property definitions and groups. */
export function propertyRoutes(schema: PropertySchema): Hono {
  const app = new Hono();
  const typeOf = (name: string | undefined) => objectTypeOrThrow(name ?? "");

  app.get("/:objectType", (c) => {
    const type = typeOf(c.req.param("objectType"));
    return c.json({ results: schema.list(type).map(toProperty) });
  });

  app.post("/:objectType", async (c) => {
    const type = typeOf(c.req.param("objectType"));
    const input = await readBody(c, PropertyCreate);
    if (schema.get(type, input.name)) {
      throw new HubSpotError(
        409,
        errorBody("OBJECT_ALREADY_EXISTS", `Property named '${input.name}' already exists.`, {
          context: { name: [input.name] },
        }),
      );
    }
    const def = checkDefinition(schema, type, { ...input, hubspotDefined: false });
    return c.json(toProperty(schema.add(type, def)), 201);
  });

  app.get("/:objectType/groups", (c) => {
    const type = typeOf(c.req.param("objectType"));
    return c.json({ results: schema.groups(type).map(toGroup) });
  });

  app.post("/:objectType/groups", async (c) => {
    const type = typeOf(c.req.param("objectType"));
    const input = await readBody(c, GroupCreate);
    if (schema.group(type, input.name)) {
      throw new HubSpotError(
        409,
        errorBody("OBJECT_ALREADY_EXISTS", `Property group named '${input.name}' already exists.`, {
          context: { name: [input.name] },
        }),
      );
    }
    const group = schema.addGroup(type, { displayOrder: -1, ...input });
    return c.json(toGroup(group), 201);
  });

  app.get("/:objectType/groups/:groupName", (c) => {
    const type = typeOf(c.req.param("objectType"));
    const group = schema.group(type, c.req.param("groupName"));
    if (!group) throw groupNotFound(type, c.req.param("groupName"));
    return c.json(toGroup(group));
  });

  app.get("/:objectType/:propertyName", (c) => {
    const type = typeOf(c.req.param("objectType"));
    return c.json(toProperty(existing(schema, type, c.req.param("propertyName"))));
  });

  app.patch("/:objectType/:propertyName", async (c) => {
    const type = typeOf(c.req.param("objectType"));
    const current = existing(schema, type, c.req.param("propertyName"));
    const input = await readBody(c, PropertyUpdate);
    if (current.hubspotDefined) {
      throw validationError(
        `Property ${current.name} is a HubSpot-defined property; its definition is read-only`,
      );
    }
    // HubSpot replaces the whole option list with the one sent.
    const def = checkDefinition(schema, type, { ...current, ...input });
    return c.json(toProperty(schema.replace(type, def)));
  });

  return app;
}

function existing(schema: PropertySchema, type: ObjectType, name: string): PropertyDef {
  const def = schema.get(type, name);
  if (!def) {
    throw new HubSpotError(
      404,
      errorBody("OBJECT_NOT_FOUND", `Unable to find property ${name} for object type ${type}`),
    );
  }
  return def;
}

const groupNotFound = (type: ObjectType, name: string) =>
  new HubSpotError(
    404,
    errorBody("OBJECT_NOT_FOUND", `Unable to find property group ${name} for object type ${type}`),
  );

/** The checks HubSpot makes on a definition before it stores it. */
type DefinitionInput = Omit<PropertyDef, "options"> & { options?: z.infer<typeof OptionInput>[] };

function checkDefinition(
  schema: PropertySchema,
  type: ObjectType,
  def: DefinitionInput,
): PropertyDef {
  const fieldTypes = FIELD_TYPES[def.type as (typeof TYPES)[number]] ?? [];
  if (!fieldTypes.includes(def.fieldType)) {
    throw validationError(
      `fieldType ${def.fieldType} is not valid for a property of type ${def.type}; use one of ${fieldTypes.join(", ")}`,
    );
  }
  if (!schema.group(type, def.groupName)) {
    throw validationError(
      `Property group ${def.groupName} does not exist for ${OBJECT_TYPES[type].singular}`,
    );
  }
  if (def.type !== "enumeration") return { ...def, options: [] };
  const options = def.options ?? [];
  if (options.length === 0)
    throw validationError(`Property ${def.name} of type enumeration needs options`);
  const values = options.map((o) => o.value);
  const repeated = values.find((v, i) => values.indexOf(v) !== i);
  if (repeated) throw validationError(`Option value ${repeated} appears more than once`);
  return {
    ...def,
    options: options.map((o, i) => ({ ...o, displayOrder: o.displayOrder ?? i })),
  };
}

function toGroup(group: PropertyGroupDef) {
  return { ...group, archived: false };
}

function toProperty(def: PropertyDef, index = 0) {
  return {
    name: def.name,
    label: def.label,
    type: def.type,
    fieldType: def.fieldType,
    description: def.description ?? "",
    groupName: def.groupName,
    options: def.options ?? [],
    displayOrder: def.displayOrder ?? index,
    calculated: def.readOnly ?? false,
    externalOptions: false,
    hasUniqueValue: def.name === "hs_object_id",
    hidden: false,
    hubspotDefined: def.hubspotDefined,
    modificationMetadata: {
      archivable: !def.hubspotDefined,
      readOnlyDefinition: def.hubspotDefined,
      readOnlyValue: def.readOnly ?? false,
    },
    formField: def.formField ?? !def.readOnly,
    createdAt: def.createdAt ?? SCHEMA_DATE,
    updatedAt: def.updatedAt ?? SCHEMA_DATE,
    archived: false,
  };
}
