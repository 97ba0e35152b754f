import { readFileSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@hubspot/api-client";
import type {
  AssociationSpecAssociationCategoryEnum,
  FilterOperatorEnum,
} from "@hubspot/api-client/lib/codegen/crm/contacts";
import type { PropertyCreate } from "@hubspot/api-client/lib/codegen/crm/properties";
import type { SubscriptionCreateRequestEventTypeEnum } from "@hubspot/api-client/lib/codegen/webhooks";
import OpenAPIBackend, { type Document } from "openapi-backend";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HubSpotSandbox, startHubSpotSandbox } from "../../sandbox/hubspot/server";

// HubSpot's own OpenAPI documents are the yardstick for the sandbox (see their README).
const SPEC_DIR = new URL("../fixtures/hubspot-openapi/", import.meta.url);
const DOCUMENTS = [
  "contacts-v3.json",
  "companies-v3.json",
  "notes-v3.json",
  "associations-v4.json",
  "properties-v3.json",
  "webhooks-v3.json",
];
const HUBSPOT_DEFINED = "HUBSPOT_DEFINED" as AssociationSpecAssociationCategoryEnum;
const TOKEN = "sandbox-hubspot-token";

interface Exchange {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | string[]>;
  requestBody: string;
  status: number;
  responseBody: string;
}

/**
 * Where live HubSpot (and the SDK's own types, `string | null`) return null but the documents
 * omit `nullable`: unset requested property values, and `label` of unlabeled association types.
 * Only these two spots are relaxed; everything else is checked as documented.
 */
function allowDocumentedNulls(doc: any): Document {
  const schemas = doc.components.schemas;
  for (const name of ["SimplePublicObject", "SimplePublicObjectWithAssociations"]) {
    if (schemas[name]) schemas[name].properties.properties.additionalProperties.nullable = true;
  }
  if (schemas.AssociationSpecWithLabel)
    schemas.AssociationSpecWithLabel.properties.label.nullable = true;
  return doc;
}

/**
 * OpenAPI 3.0 ignores siblings of `$ref`; the documents carry some (`description`), which strict
 * validators refuse.
 */
function dropRefSiblings(node: any): any {
  if (Array.isArray(node)) return node.map(dropRefSiblings);
  if (!node || typeof node !== "object") return node;
  if (typeof node.$ref === "string") return { $ref: node.$ref };
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, dropRefSiblings(v)]));
}

async function loadBackends(): Promise<OpenAPIBackend[]> {
  const backends = DOCUMENTS.map((file) => {
    const definition = allowDocumentedNulls(
      dropRefSiblings(JSON.parse(readFileSync(new URL(file, SPEC_DIR), "utf8"))),
    );
    return new OpenAPIBackend({
      definition,
      quick: false,
      validate: true,
      coerceTypes: true,
      customizeAjv: (ajv) => {
        ajv.addFormat(
          "date-time",
          (s: string) =>
            /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s) &&
            !Number.isNaN(Date.parse(s)),
        );
        ajv.addFormat("uuid", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
        ajv.addFormat("int32", {
          type: "number",
          validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31,
        });
        return ajv;
      },
    });
  });
  await Promise.all(backends.map((b) => b.init()));
  return backends;
}

/**
 * A loopback proxy in front of the sandbox that records every request and answer, byte for byte.
 */
async function recordingProxy(
  target: string,
  log: Exchange[],
): Promise<{ url: string; server: Server }> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const requestBody = Buffer.concat(chunks).toString("utf8");
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          const back: Buffer[] = [];
          answer.on("data", (c: Buffer) => back.push(c));
          answer.on("end", () => {
            const responseBody = Buffer.concat(back).toString("utf8");
            const url = new URL(req.url ?? "/", "http://proxy");
            log.push({
              method: req.method ?? "GET",
              path: url.pathname,
              query: url.search.slice(1),
              headers: req.headers as Record<string, string | string[]>,
              requestBody,
              status: answer.statusCode ?? 0,
              responseBody,
            });
            res.writeHead(answer.statusCode ?? 502, answer.headers).end(responseBody);
          });
        },
      );
      forward.end(requestBody);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function check(backends: OpenAPIBackend[], ex: Exchange): string[] {
  const body = ex.requestBody ? JSON.parse(ex.requestBody) : undefined;
  // `hapikey` is the documents' `developer_hapikey` security scheme, not an operation parameter.
  const query = new URLSearchParams(ex.query);
  query.delete("hapikey");
  const req = {
    method: ex.method,
    path: ex.path,
    query: query.toString(),
    headers: ex.headers,
    body,
  };
  const backend = backends.find((b) => b.matchOperation(req));
  const operation = backend?.matchOperation(req);
  if (!backend || !operation) return [`${ex.method} ${ex.path}: no documented operation`];
  const where = `${ex.method} ${ex.path} (${operation.operationId}) → ${ex.status}`;
  const problems: string[] = [];
  const request = backend.validateRequest(req, operation);
  if (!request.valid) problems.push(`${where} request: ${JSON.stringify(request.errors)}`);
  const documented = Object.keys(operation.responses ?? {});
  if (
    !documented.includes(String(ex.status)) &&
    !(ex.status >= 400 && documented.includes("default"))
  ) {
    problems.push(`${where}: status not documented (documented: ${documented.join(", ")})`);
  }
  if (ex.responseBody) {
    const response = backend.validateResponse(JSON.parse(ex.responseBody), operation, ex.status);
    if (!response.valid) problems.push(`${where} response: ${JSON.stringify(response.errors)}`);
  }
  return problems;
}

let sandbox: HubSpotSandbox;
let proxy: { url: string; server: Server };
let backends: OpenAPIBackend[];
const exchanges: Exchange[] = [];

beforeAll(async () => {
  [sandbox, backends] = await Promise.all([
    startHubSpotSandbox({ port: 0, rateLimits: false }),
    loadBackends(),
  ]);
  proxy = await recordingProxy(sandbox.url, exchanges);
});
afterAll(async () => {
  proxy.server.closeAllConnections();
  await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
  await sandbox.close();
});

describe("the sandbox against HubSpot's OpenAPI documents", () => {
  it("drives every used endpoint with the official client and raw requests", async () => {
    const hubspot = new Client({
      accessToken: TOKEN,
      basePath: proxy.url,
      numberOfApiCallRetries: 0,
    });
    const raw = (method: string, path: string, body?: unknown, token = TOKEN) =>
      fetch(`${proxy.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    const company = await hubspot.crm.companies.basicApi.create({
      properties: { name: "Spec Co", domain: "spec.example" },
      associations: [],
    });
    const contact = await hubspot.crm.contacts.basicApi.create({
      properties: { email: "spec@spec.example", firstname: "Spec" },
      associations: [
        {
          to: { id: company.id },
          types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 279 }],
        },
      ],
    });
    await hubspot.crm.contacts.basicApi.getById(
      contact.id,
      ["email", "phone"],
      ["email"],
      ["companies"],
    );
    await hubspot.crm.contacts.basicApi.getById(contact.id);
    await hubspot.crm.contacts.basicApi.update(contact.id, {
      properties: { jobtitle: "Engineer", leadbridge_status: "handed_off" },
    });
    await hubspot.crm.contacts.basicApi.getPage(5);
    await hubspot.crm.contacts.batchApi.read({
      inputs: [{ id: contact.id }],
      properties: ["email", "lastname"],
      propertiesWithHistory: [],
    });
    await hubspot.crm.contacts.batchApi.read({
      inputs: [{ id: contact.id }, { id: "987654" }],
      properties: ["email"],
      propertiesWithHistory: ["email"],
    });
    await hubspot.crm.contacts.batchApi.update({
      inputs: [{ id: contact.id, properties: { leadbridge_status: "existing_contact" } }],
    });
    await hubspot.crm.contacts.batchApi.update({
      inputs: [
        { id: contact.id, properties: { leadbridge_status: "existing_contact" } },
        { id: "987654", properties: { leadbridge_status: "rejected" } },
      ],
    });
    await hubspot.crm.contacts.batchApi.upsert({
      inputs: [
        { idProperty: "email", id: "spec@spec.example", properties: { jobtitle: "Lead Engineer" } },
        { idProperty: "email", id: "upsert@spec.example", properties: { firstname: "Up" } },
      ],
    });
    await hubspot.crm.contacts.searchApi.doSearch({
      filterGroups: [
        {
          filters: [
            {
              propertyName: "lastmodifieddate",
              operator: "GTE" as FilterOperatorEnum,
              value: String(Date.now() - 60_000),
            },
          ],
        },
      ],
      sorts: ["createdate"],
      properties: ["email", "jobtitle"],
      limit: 1,
      after: "0",
    });
    await hubspot.crm.companies.batchApi.read({
      inputs: [{ id: company.id }],
      properties: ["name", "domain"],
      propertiesWithHistory: [],
    });
    await hubspot.crm.associations.v4.batchApi.getPage("contacts", "companies", {
      inputs: [{ id: contact.id }],
    });
    await hubspot.crm.associations.v4.batchApi.getPage("contacts", "companies", {
      inputs: [{ id: contact.id }, { id: "987654" }],
    });
    const other = await hubspot.crm.companies.basicApi.create({
      properties: { name: "Other Co" },
      associations: [],
    });
    await hubspot.crm.associations.v4.basicApi.createDefault(
      "contacts",
      contact.id,
      "companies",
      other.id,
    );
    await hubspot.crm.associations.v4.basicApi.getPage("contacts", contact.id, "companies");
    await hubspot.crm.objects.notes.basicApi.create({
      properties: {
        hs_timestamp: String(Date.now()),
        hs_note_body: "Qualified: developer title, pricing page",
      },
      associations: [
        {
          to: { id: contact.id },
          types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 202 }],
        },
      ],
    });
    // Multi-status batch create (traced inputs): one note lands, one names no contact → 207.
    const onContact = (id: string, objectWriteTraceId: string) => ({
      objectWriteTraceId,
      properties: { hs_timestamp: new Date().toISOString(), hs_note_body: "Refused" },
      associations: [
        { to: { id }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 202 }] },
      ],
    });
    await hubspot.crm.objects.notes.batchApi.create({
      inputs: [onContact(contact.id, "a"), onContact("999999999", "b")],
    });

    // The properties API, as npm run setup:hubspot uses it.
    await hubspot.crm.properties.coreApi.getAll("contacts");
    await hubspot.crm.properties.coreApi.getByName("contacts", "leadbridge_sales_stage");
    await hubspot.crm.properties.groupsApi.getAll("contacts");
    await hubspot.crm.properties.groupsApi.create("contacts", {
      name: "spec_group",
      label: "Spec group",
      displayOrder: -1,
    });
    await hubspot.crm.properties.groupsApi.getByName("contacts", "spec_group");
    const specProperty = {
      name: "spec_choice",
      label: "Spec choice",
      type: "enumeration",
      fieldType: "select",
      groupName: "spec_group",
      description: "A property the spec test creates",
      options: [{ label: "One", value: "one", displayOrder: 0, hidden: false }],
    };
    await hubspot.crm.properties.coreApi.create("contacts", specProperty as PropertyCreate);
    await hubspot.crm.properties.coreApi.update("contacts", "spec_choice", {
      options: [
        { label: "One", value: "one", displayOrder: 0, hidden: false },
        { label: "Two", value: "two", displayOrder: 1, hidden: false },
      ],
    });
    await raw("POST", "/crm/v3/properties/contacts", specProperty);
    await raw("POST", "/crm/v3/properties/contacts/groups", { name: "spec_group", label: "Again" });
    await raw("GET", "/crm/v3/properties/contacts/no_such_property");
    await raw("POST", "/crm/v3/properties/contacts", {
      ...specProperty,
      name: "spec_no_group",
      groupName: "nope",
    });

    // Error answers must match the documented `default` Error response.
    await raw("GET", "/crm/v3/objects/contacts/987654");
    await raw("PATCH", `/crm/v3/objects/contacts/${contact.id}`, {
      properties: { not_a_property: "x" },
    });
    await raw("POST", "/crm/v3/objects/contacts/batch/read", {
      inputs: Array.from({ length: 101 }, (_, i) => ({ id: String(i) })),
      properties: [],
      propertiesWithHistory: [],
    });
    await raw("GET", `/crm/v3/objects/contacts/${contact.id}`, undefined, "wrong-token");
    await raw("POST", "/crm/v3/objects/notes", {
      properties: { hs_note_body: "no timestamp" },
      associations: [],
    });
    await raw("DELETE", `/crm/v3/objects/contacts/${contact.id}`);

    // The app's webhook settings and subscriptions, with the developer key.
    const developer = new Client({
      developerApiKey: "sandbox-developer-api-key",
      basePath: proxy.url,
      numberOfApiCallRetries: 0,
    });
    const appId = 54321;
    await developer.webhooks.settingsApi.configure(appId, {
      targetUrl: "https://example.com/webhooks/hubspot",
      throttling: { maxConcurrentRequests: 10 },
    });
    await developer.webhooks.settingsApi.getAll(appId);
    const subscription = await developer.webhooks.subscriptionsApi.create(appId, {
      eventType: "contact.propertyChange" as SubscriptionCreateRequestEventTypeEnum,
      propertyName: "website",
      active: true,
    });
    const subscriptionId = Number(subscription.id);
    await developer.webhooks.subscriptionsApi.getAll(appId);
    await developer.webhooks.subscriptionsApi.getById(subscriptionId, appId);
    await developer.webhooks.subscriptionsApi.update(subscriptionId, appId, { active: false });
    await developer.webhooks.subscriptionsApi.archive(subscriptionId, appId);
    await fetch(`${proxy.url}/webhooks/v3/${appId}/subscriptions?hapikey=wrong`);
    await fetch(
      `${proxy.url}/webhooks/v3/${appId}/subscriptions/${subscriptionId}?hapikey=sandbox-developer-api-key`,
    );
    await developer.webhooks.settingsApi.clear(appId);

    const statuses = new Set(exchanges.map((e) => e.status));
    expect([...statuses].sort()).toEqual([200, 201, 204, 207, 400, 401, 404, 409]);
  });

  it("every recorded request and response validates", () => {
    expect(exchanges.length).toBeGreaterThan(20);
    expect(exchanges.flatMap((ex) => check(backends, ex))).toEqual([]);
  });

  it("the validator does catch a response that breaks the documents", () => {
    const good = exchanges.find(
      (e) => e.method === "POST" && e.path.endsWith("/contacts/batch/read") && e.status === 200,
    );
    expect(good).toBeDefined();
    const broken = JSON.parse(good!.responseBody);
    delete broken.results[0].createdAt;
    broken.status = "DONE";
    expect(check(backends, { ...good!, responseBody: JSON.stringify(broken) })).toHaveLength(1);
  });
});
