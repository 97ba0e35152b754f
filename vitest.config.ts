import { builtinModules } from "node:module";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const root = import.meta.dirname;

export default defineConfig({
  // Two vitest processes run side by side under `npm test` (test/run.ts): each keeps its own cache.
  cacheDir: process.env.LEADBRIDGE_TEST_LANE
    ? `node_modules/.vite-${process.env.LEADBRIDGE_TEST_LANE}`
    : undefined,
  test: {
    // Runs once, in plain Node, for every project: both sandboxes on free loopback ports.
    globalSetup: ["test/setup/global-setup.ts"],
    // The Worker logs a JSON line per request and batch: show a test's output only when it fails.
    // The reporter reads this from the root config, so it holds for both projects.
    silent: "passed-only",
    projects: [
      {
        // The chaos and outage runs: each starts its own stack (its own sandboxes, a wrangler dev
        // on a free port, its own D1 state) and mostly waits on wall-clock phases, so `npm test`
        // runs them beside the other projects (test/run.ts).
        test: {
          name: "chaos",
          environment: "node",
          include: ["test/chaos/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Sandbox fidelity, CLI and end-to-end tests: plain Node, official clients over loopback.
        test: {
          name: "node",
          environment: "node",
          include: ["test/node/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Everything that runs in the Worker: workerd with real local D1, KV and Queues.
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            main: path.join(root, "workers/index.ts"),
            wrangler: { configPath: path.join(root, "wrangler.toml") },
            miniflare: {
              bindings: {
                TEST_MIGRATIONS: await readD1Migrations(path.join(root, "migrations")),
                HUBSPOT_BASE_URL: inject("hubspotUrl"),
                // The sandbox's own ids (wrangler.toml ships none; .dev.vars.example has them too).
                HUBSPOT_PORTAL_ID: "62515",
                HUBSPOT_APP_ID: "54321",
                SALESFORCE_LOGIN_URL: inject("salesforceUrl"),
                HUBSPOT_ACCESS_TOKEN: "sandbox-hubspot-token",
                HUBSPOT_CLIENT_SECRET: "sandbox-client-secret",
                SALESFORCE_CLIENT_ID: "sandbox-sf-client-id",
                SALESFORCE_CLIENT_SECRET: "sandbox-sf-client-secret",
                ADMIN_TOKEN: "sandbox-admin-token",
              },
            },
          })),
        ],
        test: {
          name: "workers",
          // Pre-bundle the official clients as wrangler's esbuild does for deploys; their CommonJS
          // trees (node-fetch, faye) do not load module by module in workerd.
          deps: {
            optimizer: {
              ssr: {
                enabled: true,
                // What the Worker imports: jsforce's core and the HubSpot client's APIs one by one
                // (shared/hubspot/client.ts), not the packages' main entries.
                include: [
                  "jsforce/core",
                  ...[
                    "discovery/crm/associations/v4/AssociationsDiscovery",
                    "discovery/crm/companies/CompaniesDiscovery",
                    "discovery/crm/contacts/ContactsDiscovery",
                    "discovery/crm/objects/notes/NotesDiscovery",
                    "discovery/webhooks/WebhooksDiscovery",
                    "services/http/HttpClient",
                    "services/http/Request",
                  ].map((module) => `@hubspot/api-client/lib/src/${module}`),
                ],
                // Node built-ins stay imports; nodejs_compat provides them at run time.
                rolldownOptions: {
                  external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
                },
              },
            },
          },
          include: ["test/workers/**/*.test.ts"],
          setupFiles: ["test/workers/apply-migrations.ts"],
          // The sandboxes (and their fault switches) are shared by every file: one file at a time.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
