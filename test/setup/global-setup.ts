import type { TestProject } from "vitest/node";
import { startHubSpotSandbox } from "../../sandbox/hubspot/server";
import { startSalesforceSandbox } from "../../sandbox/salesforce/server";

/** Starts both sandboxes on free loopback ports for the Workers tests to reach over real HTTP. */
export default async function setup(project: TestProject) {
  const hubspot = await startHubSpotSandbox({ port: 0, seed: false });
  const salesforce = await startSalesforceSandbox({ port: 0, seed: false });
  project.provide("hubspotUrl", hubspot.url);
  project.provide("salesforceUrl", salesforce.url);
  return async () => {
    await Promise.all([hubspot.close(), salesforce.close()]);
  };
}
