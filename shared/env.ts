import { z } from "zod";
import { LeadAssignmentSchema } from "./salesforce/assignment";

/**
 * Salesforce's generic login hosts: the client-credentials flow is served only on the org's My
 * Domain, so a token request there fails.
 */
const GENERIC_LOGIN_HOSTS = new Set(["login.salesforce.com", "test.salesforce.com"]);

/** The URL's host in lower case; '' when it is no URL (z.url() names that). */
const hostOf = (url: string) => (URL.canParse(url) ? new URL(url).hostname.toLowerCase() : "");

/**
 * What a HubSpot privacy deletion does to the Lead Leadbridge made (docs/handoff.md, "Privacy
 * deletion"): delete it while sales never converted it (a converted one is flagged), flag every
 * one, or leave Salesforce alone.
 */
export const PRIVACY_DELETION_CHOICES = ["delete_unconverted", "flag", "keep"] as const;
export type PrivacyDeletionChoice = (typeof PRIVACY_DELETION_CHOICES)[number];

/** Everything the Worker reads from its environment, checked once at the entry. */
export const EnvSchema = z
  .object({
    HUBSPOT_BASE_URL: z.url(),
    HUBSPOT_PORTAL_ID: z.string().regex(/^\d+$/, "must be the numeric HubSpot portal (hub) id"),
    HUBSPOT_APP_ID: z.string().regex(/^\d+$/, "must be the numeric HubSpot app id"),
    SALESFORCE_LOGIN_URL: z.url().refine((url) => !GENERIC_LOGIN_HOSTS.has(hostOf(url)), {
      message:
        "must be your org's My Domain URL (https://<domain>.my.salesforce.com): login.salesforce.com and test.salesforce.com do not serve the client-credentials flow",
    }),
    SALESFORCE_API_VERSION: z.string().regex(/^\d+\.0$/, 'must look like "62.0"'),
    WEBHOOK_SIGNATURE_VERSION: z.enum(["v1", "v2", "v3"]),
    WEBHOOK_PUBLIC_URL: z.union([z.literal(""), z.url()]),
    SALESFORCE_DAILY_BUDGET_SHARE: z.coerce.number().gt(0).max(1),
    SALESFORCE_LEAD_ASSIGNMENT: LeadAssignmentSchema,
    SALESFORCE_EXISTING_CONTACTS: z.enum(["skip_lead", "create_lead"]).default("skip_lead"),
    SALESFORCE_DISQUALIFICATION_FIELD: z
      .string()
      .regex(
        /^[A-Za-z][A-Za-z0-9_]*$/,
        "must be a Lead field's API name, such as Disqualification_Reason__c",
      )
      .default("Disqualification_Reason__c"),
    SALESFORCE_PRIVACY_DELETION: z
      .enum(PRIVACY_DELETION_CHOICES, {
        error: `must be one of ${PRIVACY_DELETION_CHOICES.join(", ")} (what a HubSpot privacy deletion does to the contact's Salesforce Lead)`,
      })
      .default("delete_unconverted"),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]),
    HUBSPOT_ACCESS_TOKEN: z.string().min(1),
    HUBSPOT_CLIENT_SECRET: z.string().min(1),
    // Optional: the app's developer API key, for GET/POST /admin/subscriptions (webhooks API).
    HUBSPOT_DEVELOPER_API_KEY: z.string().optional(),
    SALESFORCE_CLIENT_ID: z.string().min(1),
    SALESFORCE_CLIENT_SECRET: z.string().min(1),
    ADMIN_TOKEN: z.string().min(16, "must be at least 16 characters"),
    // Optional Cloudflare Access for /admin: both set, or both empty.
    ACCESS_TEAM_DOMAIN: z.union([z.literal(""), z.url({ protocol: /^https$/ })]).default(""),
    ACCESS_AUD: z.string().default(""),
  })
  .refine((env) => Boolean(env.ACCESS_TEAM_DOMAIN) === Boolean(env.ACCESS_AUD), {
    path: ["ACCESS_AUD"],
    message: "and ACCESS_TEAM_DOMAIN must be set together (Cloudflare Access) or both left empty",
  });

export type Config = z.infer<typeof EnvSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Leadbridge is misconfigured: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

const SECRET_NAMES = new Set([
  "HUBSPOT_ACCESS_TOKEN",
  "HUBSPOT_CLIENT_SECRET",
  "SALESFORCE_CLIENT_ID",
  "SALESFORCE_CLIENT_SECRET",
  "ADMIN_TOKEN",
]);

/** What an unset var is, said with the message naming it: the customer's own values, no default. */
const VAR_HINTS: Record<string, string> = {
  HUBSPOT_PORTAL_ID: "your HubSpot portal (hub) id",
  HUBSPOT_APP_ID: "the id of the HubSpot app whose webhooks Leadbridge receives",
  SALESFORCE_LOGIN_URL: "your org's My Domain URL, https://<domain>.my.salesforce.com",
};

const parsed = new WeakMap<object, Config>();

/** Validates the env once per isolate; a missing secret is named in the error. */
export function loadConfig(env: Env): Config {
  const cached = parsed.get(env);
  if (cached) return cached;
  const result = EnvSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? "env");
        const raw = (env as unknown as Record<string, unknown>)[name];
        if (raw === undefined || raw === "") {
          return SECRET_NAMES.has(name)
            ? `secret ${name} is not set (wrangler secret put ${name}, or .dev.vars locally)`
            : `variable ${name} is not set${name in VAR_HINTS ? `: set it to ${VAR_HINTS[name]}` : ""} (wrangler.toml [vars])`;
        }
        return `${name} ${issue.message}`;
      }),
    );
  }
  parsed.set(env, result.data);
  return result.data;
}
