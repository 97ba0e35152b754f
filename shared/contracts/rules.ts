import { z } from "zod";
import { QUALIFICATION_CRITERIA } from "./mql";

/** Qualification rules: data, versioned in D1, editable through the admin API. */
export const RulesSchema = z
  .object({
    requiredFields: z
      .array(z.enum(["email", "lastName", "firstName", "companyName", "jobTitle"]))
      .max(5),
    businessEmailOnly: z.boolean(),
    freeEmailDomains: z
      .array(
        z
          .string()
          .toLowerCase()
          .regex(/^[a-z0-9.-]+\.[a-z]{2,}$|^[a-z0-9-]+$/),
      )
      .max(1000),
    minEngagementScore: z.number().int().min(0).max(100),
    /** At least this many of `criteria` must be met (0 turns the check off). */
    minCriteriaMet: z.number().int().min(0).max(QUALIFICATION_CRITERIA.length),
    criteria: z.array(z.enum(QUALIFICATION_CRITERIA)).min(1),
  })
  .strict();
export type Rules = z.infer<typeof RulesSchema>;

export const FREE_EMAIL_DOMAINS = [
  "gmail",
  "googlemail",
  "yahoo",
  "ymail",
  "hotmail",
  "outlook",
  "live",
  "msn",
  "icloud",
  "me",
  "mac",
  "aol",
  "gmx",
  "web",
  "mail",
  "yandex",
  "proton",
  "protonmail",
  "pm",
  "zoho",
  "qq",
  "163",
  "126",
  "sina",
  "foxmail",
  "naver",
  "hanmail",
  "rediffmail",
  "tutanota",
  "fastmail",
  "hey",
];

/** Version 1, seeded by the handoff when D1 holds no rules yet. */
export const DEFAULT_RULES: Rules = {
  requiredFields: ["email", "lastName", "companyName"],
  businessEmailOnly: true,
  freeEmailDomains: FREE_EMAIL_DOMAINS,
  minEngagementScore: 60,
  minCriteriaMet: 1,
  criteria: [...QUALIFICATION_CRITERIA],
};
