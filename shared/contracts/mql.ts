import { z } from "zod";
import { CriterionNameSchema } from "./criteria";

export { QUALIFICATION_CRITERIA } from "./criteria";

/**
 * The marketing-to-sales contract from the playbook. leadId is derived from portal and
 * contact ids (the playbook's own example is not a UUID, so no UUID format is demanded).
 */
export const MqlSchema = z.object({
  leadId: z.string().min(1).max(64),
  source: z.string().max(100),
  contactInfo: z.object({
    email: z.string().max(254).nullable(),
    firstName: z.string().max(100).nullable(),
    lastName: z.string().max(100).nullable(),
    jobTitle: z.string().max(200).nullable(),
  }),
  firmographics: z.object({
    companyName: z.string().max(255).nullable(),
    industry: z.string().max(100).nullable(),
    employeeCount: z.number().int().nonnegative().nullable(),
  }),
  engagementScore: z.number().int().min(0).max(100),
  /** The names of the criteria met: the built-in buying signals and the rules' own criteria. */
  qualificationCriteriaMet: z.array(CriterionNameSchema),
});
export type Mql = z.infer<typeof MqlSchema>;

export function leadIdFor(portalId: string, contactId: string): string {
  return `hs-${portalId}-${contactId}`;
}
