import { z } from "zod";
import {
  BUILTIN_CRITERIA,
  CriterionSchema,
  EngagementSchema,
  QUALIFICATION_CRITERIA,
} from "./criteria";

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
    /** At least this many of the criteria that are not required must be met (0 turns it off). */
    minCriteriaMet: z.number().int().min(0).max(50),
    /**
     * A built-in criterion by name (BUILTIN_CRITERIA) or one of the admin's own, as conditions
     * (shared/contracts/criteria.ts).
     */
    criteria: z
      .array(z.union([z.enum(QUALIFICATION_CRITERIA), CriterionSchema]))
      .min(1)
      .max(50),
    /** The engagement score's weights; unset means version 1's (DEFAULT_ENGAGEMENT). */
    engagement: EngagementSchema.optional(),
  })
  .strict()
  .superRefine((rules, ctx) => {
    const names = rules.criteria.map((c) => (typeof c === "string" ? c : c.name));
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i)
        ctx.addIssue({
          code: "custom",
          path: ["criteria", i],
          message: `criterion "${name}" is listed twice`,
        });
      else if (typeof rules.criteria[i] !== "string" && name in BUILTIN_CRITERIA)
        ctx.addIssue({
          code: "custom",
          path: ["criteria", i, "name"],
          message: `"${name}" is a built-in criterion: name it as a string, or give yours another name`,
        });
    });
    const signals = rules.criteria.filter((c) => typeof c === "string" || !c.required).length;
    if (rules.minCriteriaMet > signals)
      ctx.addIssue({
        code: "custom",
        path: ["minCriteriaMet"],
        message: `asks for ${rules.minCriteriaMet} criteria met, but only ${signals} criteria are not required`,
      });
  });
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
