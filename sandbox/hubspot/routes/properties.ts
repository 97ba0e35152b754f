import { Hono } from "hono";
import { errorBody, HubSpotError } from "../errors";
import { objectTypeOrThrow } from "../object-writes";
import { type PropertyDef, propertyDef, propertyDefs } from "../schema";

const SCHEMA_DATE = "2019-08-06T02:41:52.000Z";

/** `/crm/v3/properties/{objectType}`: the property schema, read-only. */
export function propertyRoutes(): Hono {
  const app = new Hono();
  app.get("/:objectType", (c) => {
    const type = objectTypeOrThrow(c.req.param("objectType"));
    return c.json({ results: propertyDefs(type).map(toProperty) });
  });
  app.get("/:objectType/:propertyName", (c) => {
    const type = objectTypeOrThrow(c.req.param("objectType"));
    const def = propertyDef(type, c.req.param("propertyName"));
    if (!def) {
      throw new HubSpotError(
        404,
        errorBody(
          "OBJECT_NOT_FOUND",
          `Unable to find property ${c.req.param("propertyName")} for object type ${type}`,
        ),
      );
    }
    return c.json(toProperty(def));
  });
  return app;
}

function toProperty(def: PropertyDef, index = 0) {
  return {
    name: def.name,
    label: def.label,
    type: def.type,
    fieldType: def.fieldType,
    description: "",
    groupName: def.groupName,
    options: (def.options ?? []).map((value, displayOrder) => ({
      label: value,
      value,
      displayOrder,
      hidden: false,
    })),
    displayOrder: index,
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
    formField: !def.readOnly,
    createdAt: SCHEMA_DATE,
    updatedAt: SCHEMA_DATE,
    archived: false,
  };
}
