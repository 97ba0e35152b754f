import type { Client } from "@hubspot/api-client";
import type AssociationsV4Discovery from "@hubspot/api-client/lib/src/discovery/crm/associations/v4/AssociationsDiscovery";
import type CompaniesDiscovery from "@hubspot/api-client/lib/src/discovery/crm/companies/CompaniesDiscovery";
import type ContactsDiscovery from "@hubspot/api-client/lib/src/discovery/crm/contacts/ContactsDiscovery";
import type NotesDiscovery from "@hubspot/api-client/lib/src/discovery/crm/objects/notes/NotesDiscovery";
import type WebhooksDiscovery from "@hubspot/api-client/lib/src/discovery/webhooks/WebhooksDiscovery";

/**
 * The official HubSpot client's APIs the Worker calls, built from the package's own discovery
 * classes (what `Client` builds on first use): `Client` reaches every HubSpot API's generated
 * code through requires esbuild cannot leave out, most of the bundle (bench/README.md, Bundle).
 * A `Client` is one of these, so tests may hand one in.
 */
export interface HubSpot {
  readonly crm: {
    readonly contacts: ContactsDiscovery;
    readonly companies: CompaniesDiscovery;
    readonly objects: { readonly notes: NotesDiscovery };
    readonly associations: { readonly v4: AssociationsV4Discovery };
  };
  apiRequest: Client["apiRequest"];
}

/** The webhooks API, which takes the app's developer key. */
export interface HubSpotDeveloper {
  readonly webhooks: WebhooksDiscovery;
}
