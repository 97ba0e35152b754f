// Shared by the CLI and dashboard tests: the admin API of a running stack, from Node.
import { AdminApi } from "../../cli/api";
import type { Job } from "../../shared/contracts/admin";

export const ADMIN_TOKEN = "sandbox-admin-token";

export const adminApi = (workerUrl: string) => new AdminApi(workerUrl, ADMIN_TOKEN);

export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Until the job is done and every contact it enqueued has been judged. */
export const jobSettled = (api: AdminApi, id: string, timeoutMs = 90_000) =>
  waitFor(
    async () => {
      const job = await api.call<Job>("GET", `/admin/jobs/${id}`);
      return job.state === "done" && job.progress.pending === 0 ? job : undefined;
    },
    timeoutMs,
    `backfill ${id}`,
  );

const HUBSPOT_HEADERS = {
  authorization: "Bearer sandbox-hubspot-token",
  "content-type": "application/json",
};

/** A contact, associated with `companyId` (its primary company) when given. */
export async function createHubSpotContact(
  hubspotUrl: string,
  properties: Record<string, string>,
  companyId?: string,
): Promise<string> {
  const associations = companyId
    ? [
        {
          to: { id: companyId },
          types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: 1 }],
        },
      ]
    : [];
  const res = await fetch(`${hubspotUrl}/crm/v3/objects/contacts`, {
    method: "POST",
    headers: HUBSPOT_HEADERS,
    body: JSON.stringify({ properties, associations }),
  });
  if (!res.ok) throw new Error(`create contact: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

export async function createHubSpotCompany(
  hubspotUrl: string,
  properties: Record<string, string>,
): Promise<string> {
  const res = await fetch(`${hubspotUrl}/crm/v3/objects/companies`, {
    method: "POST",
    headers: HUBSPOT_HEADERS,
    body: JSON.stringify({ properties }),
  });
  if (!res.ok) throw new Error(`create company: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}
