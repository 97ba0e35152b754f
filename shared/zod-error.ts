import type { z } from "zod";

/** One sentence naming the first offending field, e.g. `events[3].occurredAt: expected number`. */
export function describeZodError(error: z.ZodError, root = "body"): string {
  const issue = error.issues[0];
  if (!issue) return `${root} is invalid`;
  const path = issue.path.reduce<string>(
    (acc, part) => (typeof part === "number" ? `${acc}[${part}]` : `${acc}.${String(part)}`),
    root,
  );
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problems)` : "";
  return `${path}: ${issue.message}${more}`;
}
