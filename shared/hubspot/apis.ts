import type { Client } from "@hubspot/api-client";
import type AssociationsV4Discovery from "@hubspot/api-client/lib/src/discovery/crm/associations/v4/AssociationsDiscovery";
import type CompaniesDiscovery from "@hubspot/api-client/lib/src/discovery/crm/companies/CompaniesDiscovery";
import type ContactsDiscovery from "@hubspot/api-client/lib/src/discovery/crm/contacts/ContactsDiscovery";
import type NotesDiscovery from "@hubspot/api-client/lib/src/discovery/crm/objects/notes/NotesDiscovery";
import type WebhooksDiscovery from "@hubspot/api-client/lib/src/discovery/webhooks/WebhooksDiscovery";

type BatchApi<D extends { batchApi: object }, K extends keyof D["batchApi"]> = {
  readonly batchApi: Pick<D["batchApi"], K>;
};

/**
 * The official HubSpot client's calls the Worker makes, through the package's own API classes
 * (shared/hubspot/client.ts): `Client` reaches every HubSpot API's generated code through
 * requires esbuild cannot leave out, most of the bundle (bench/README.md, Bundle). A `Client` is
 * one of these, so tests may hand one in.
 */
export interface HubSpot {
  readonly crm: {
    readonly contacts: BatchApi<ContactsDiscovery, "read" | "update">;
    readonly companies: BatchApi<CompaniesDiscovery, "read">;
    readonly objects: { readonly notes: BatchApi<NotesDiscovery, "read" | "create"> };
    readonly associations: { readonly v4: BatchApi<AssociationsV4Discovery, "getPage"> };
  };
  apiRequest: Client["apiRequest"];
}

/** The webhooks API, which takes the app's developer key. */
export interface HubSpotDeveloper {
  readonly webhooks: {
    readonly subscriptionsApi: Pick<
      WebhooksDiscovery["subscriptionsApi"],
      "getAll" | "create" | "update"
    >;
  };
}
