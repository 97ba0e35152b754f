import type { AdminApi } from "../cli/api";
import { requirementLines } from "../cli/requirements";
import type { FeatureRequest, Requirement } from "../shared/contracts/requirements";

// The demo's requirement pool (docs/requirements.md): the sandbox org's seeded Feature_Request__c
// (sandbox/salesforce/seed.ts), once the nightly has pulled them, grouped as a product manager
// would and scored with RICE inputs chosen for the demo.

export const DEMO_REQUIREMENTS = [
  {
    title: "Single sign-on",
    requests: [
      "SSO with Okta",
      "Single sign-on",
      "SAML login",
      "Login via Azure AD",
      "SSO for contractors",
    ],
    rice: { impact: 2, confidence: 0.8, effort: 20 },
  },
  {
    title: "Audit log export",
    requests: ["Audit log export", "Export audit trail", "Audit log to Splunk"],
    rice: { impact: 1, confidence: 1, effort: 10 },
  },
  {
    title: "EU data residency",
    requests: ["EU data residency"],
    rice: { impact: 2, confidence: 0.8, effort: 15 },
  },
  {
    title: "Salesforce CPQ integration",
    requests: ["CPQ integration"],
    rice: { impact: 3, confidence: 0.5, effort: 30 },
  },
  {
    title: "Offline mode",
    requests: ["Offline mode"],
    rice: { impact: 0.5, confidence: 0.5, effort: 40 },
  },
] as const;

/**
 * Groups the requests no requirement holds yet into DEMO_REQUIREMENTS (a second run finds them
 * grouped and only sets the inputs again) and answers the pool, ranked.
 */
export async function demoRequirementPool(api: AdminApi, top = 5): Promise<Requirement[]> {
  const { requests } = await api.call<{ requests: FeatureRequest[] }>(
    "GET",
    "/admin/feature-requests/unassigned",
  );
  const all = await api.call<{ requirements: Requirement[] }>(
    "GET",
    "/admin/requirements?status=all",
  );
  for (const spec of DEMO_REQUIREMENTS) {
    const names = new Set<string>(spec.requests);
    const requestIds = requests.filter((r) => names.has(r.name)).map((r) => r.id);
    let id = all.requirements.find((r) => r.title === spec.title)?.id;
    if (id === undefined && requestIds.length)
      id = (
        await api.call<Requirement>("POST", "/admin/requirements", {
          title: spec.title,
          requestIds,
        })
      ).id;
    else if (id !== undefined && requestIds.length)
      await api.call("POST", `/admin/requirements/${id}/requests`, { requestIds });
    if (id !== undefined) await api.call("PUT", `/admin/requirements/${id}`, spec.rice);
  }
  return (await api.call<{ requirements: Requirement[] }>("GET", `/admin/requirements?top=${top}`))
    .requirements;
}

/** The demo's lines: the top of the pool by RICE, with the money behind each. */
export function poolLines(top: Requirement[]): string[] {
  return [
    "\nrequirement pool, top five by RICE (Reach × Impact × Confidence ÷ Effort):",
    ...requirementLines(top, "  "),
  ];
}
