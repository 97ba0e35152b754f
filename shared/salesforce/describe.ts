import type { Connection } from "jsforce";
import { z } from "zod";
import { recordUsage } from "./budget";

// Salesforce's describe of Lead, trimmed to what a mapping check needs and cached in KV: a mapping
// is checked on every PUT and preview, and the Lead's fields change far more rarely than that.

/** A Lead field as Salesforce's describe tells it, trimmed to what a mapping check needs. */
export interface DescribedField {
  name: string;
  label: string;
  /** Salesforce's field type: string, textarea, email, phone, url, picklist, multipicklist, int, double, currency, percent, boolean, date, datetime, reference, id, … */
  type: string;
  length: number;
  createable: boolean;
  updateable: boolean;
  nillable: boolean;
  defaultedOnCreate: boolean;
  restrictedPicklist: boolean;
  /** Active picklist values. */
  picklistValues: string[];
  /** The field is an external id (the upsert key is not something a mapping must fill). */
  externalId?: boolean;
}

export interface LeadDescribe {
  fields: DescribedField[];
}

export const DESCRIBE_KEY = "salesforce:describe:Lead";
const DESCRIBE_TTL_SECONDS = 60 * 60;

// Parsed before use, as every third-party answer: only the members read, unknown ones ignored.
const DescribeAnswerSchema = z.object({
  fields: z.array(
    z.object({
      name: z.string(),
      label: z.string(),
      type: z.string(),
      length: z.number().default(0),
      createable: z.boolean(),
      updateable: z.boolean(),
      nillable: z.boolean(),
      defaultedOnCreate: z.boolean(),
      restrictedPicklist: z.boolean().default(false),
      externalId: z.boolean().default(false),
      picklistValues: z
        .array(z.object({ value: z.string(), active: z.boolean() }))
        .nullish()
        .transform((values) => (values ?? []).filter((v) => v.active).map((v) => v.value)),
    }),
  ),
});

/**
 * The Lead describe, cached in KV for an hour (`salesforce:describe:Lead`). The cache is only a
 * saving: a KV read or write that fails costs one more describe call, never the check.
 */
export async function leadDescribe(conn: Connection, kv: KVNamespace): Promise<LeadDescribe> {
  const cached = await kv.get<LeadDescribe>(DESCRIBE_KEY, "json").catch(() => null);
  if (cached?.fields) return cached;
  const answer = await conn.sobject("Lead").describe();
  await recordUsage(kv, conn.limitInfo?.apiUsage);
  const describe: LeadDescribe = DescribeAnswerSchema.parse(answer);
  await kv
    .put(DESCRIBE_KEY, JSON.stringify(describe), { expirationTtl: DESCRIBE_TTL_SECONDS })
    .catch(() => {});
  return describe;
}
