// The per-lead flow an iPaaS recipe runs for each new contact: one contact read, one
// association read, one company read, one Salesforce upsert, one feedback write. Same
// sandboxes, same official clients, same judgement; only the call pattern differs.
import { Client } from "@hubspot/api-client";
import jsforce from "jsforce";
import { DEFAULT_MAPPING } from "../shared/contracts/mapping";
import { DEFAULT_RULES } from "../shared/contracts/rules";
import { forEachLimit, HUBSPOT_TOKEN, type Sandboxes } from "../test/harness/control";
import { createInbound } from "../test/harness/inbound";
import { EXTERNAL_ID_FIELD, toLeadFields } from "../workers/handoff/lead-mapping";
import { COMPANY_PROPERTIES, CONTACT_PROPERTIES, toMql } from "../workers/handoff/mql";
import { qualify } from "../workers/handoff/qualify";
import { countDelta, round } from "./lib/stats";

export interface NaiveFigures {
  leads: number;
  hubspotPerLead: number;
  salesforcePerLead: number;
  leadsPerSec: number;
}

// A well-behaved recipe stays under HubSpot's 190 requests / 10 s instead of collecting 429s.
const HUBSPOT_CALLS_PER_SECOND = 18;

export async function measureNaive(sandboxes: Sandboxes, count: number): Promise<NaiveFigures> {
  // Created while webhooks are paused, so the Worker does not also hand these leads off.
  await sandboxes.subscribe({ active: false });
  const leads = await createInbound(sandboxes, count, `naive-${Date.now().toString(36)}`, 7);
  await sandboxes.subscribe({ active: true });

  const hubspot = new Client({
    accessToken: HUBSPOT_TOKEN,
    basePath: sandboxes.hubspotUrl,
    numberOfApiCallRetries: 3,
  });
  const pace = pacer(HUBSPOT_CALLS_PER_SECOND);
  const before = await Promise.all([sandboxes.hubspotCounts(), sandboxes.salesforceCounts()]);
  const started = Date.now();
  const salesforce = await connectSalesforce(sandboxes.salesforceUrl);

  await forEachLimit(leads, 4, async ({ contactId }) => {
    await pace();
    const contact = await hubspot.crm.contacts.basicApi.getById(contactId, [...CONTACT_PROPERTIES]);
    await pace();
    const associations = await hubspot.crm.associations.v4.basicApi.getPage(
      "contacts",
      contactId,
      "companies",
    );
    const companyId = associations.results[0]?.toObjectId;
    let company: Record<string, string | null> | undefined;
    if (companyId !== undefined) {
      await pace();
      company = (
        await hubspot.crm.companies.basicApi.getById(String(companyId), [...COMPANY_PROPERTIES])
      ).properties;
    }
    const mql = toMql("62515", contactId, contact.properties, company);
    const judgement = qualify(mql, DEFAULT_RULES);
    let status = judgement.qualified ? "handed_off" : "rejected";
    if (judgement.qualified) {
      // A refused record answers 400, which jsforce throws; the recipe records the refusal.
      const pushed = await salesforce
        .sobject("Lead")
        .upsert(
          toLeadFields(DEFAULT_MAPPING, {
            contactId,
            mql,
            contact: contact.properties,
            company,
          }) as any,
          EXTERNAL_ID_FIELD,
        )
        .then(
          (r) => (r as unknown as { success: boolean }).success,
          () => false,
        );
      if (!pushed) status = "rejected";
    }
    await pace();
    await hubspot.crm.contacts.basicApi.update(contactId, {
      properties: { leadbridge_status: status },
    });
  });

  const seconds = (Date.now() - started) / 1000;
  const after = await Promise.all([sandboxes.hubspotCounts(), sandboxes.salesforceCounts()]);
  return {
    leads: count,
    hubspotPerLead: round(countDelta(before[0].byEndpoint, after[0].byEndpoint) / count, 3),
    salesforcePerLead: round(countDelta(before[1].byEndpoint, after[1].byEndpoint) / count, 3),
    leadsPerSec: round(count / seconds),
  };
}

async function connectSalesforce(loginUrl: string) {
  const oauth2 = new jsforce.OAuth2({
    loginUrl,
    clientId: "sandbox-sf-client-id",
    clientSecret: "sandbox-sf-client-secret",
  });
  const token = (await oauth2.requestToken({ grant_type: "client_credentials" })) as {
    access_token: string;
    instance_url: string;
  };
  return new jsforce.Connection({
    oauth2,
    version: "62.0",
    instanceUrl: token.instance_url,
    accessToken: token.access_token,
  });
}

/** Resolves at most `perSecond` times a second, in call order. */
function pacer(perSecond: number): () => Promise<void> {
  const gap = 1000 / perSecond;
  let nextAt = 0;
  return async () => {
    const now = Date.now();
    const at = Math.max(now, nextAt);
    nextAt = at + gap;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  };
}
