import type { z } from "zod";

type Issue = z.core.$ZodIssue;

/** One sentence naming the first offending field, e.g. `events[3].occurredAt: expected number`. */
export function describeZodError(error: z.ZodError, root = "body"): string {
  const issues = error.issues.flatMap((i) => unwrapUnion(i));
  const issue = issues[0];
  if (!issue) return `${root} is invalid`;
  const path = issue.path.reduce<string>(
    (acc, part) => (typeof part === "number" ? `${acc}[${part}]` : `${acc}.${String(part)}`),
    root,
  );
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problems)` : "";
  return `${path}: ${issue.message}${more}`;
}

/**
 * A value that fits none of a union's shapes: the problems of the one shape it has (an object
 * where the options are a name or an object, say) rather than "Invalid input"; when it has none
 * of them, what each option expected.
 */
function unwrapUnion(issue: Issue): Issue[] {
  if (issue.code !== "invalid_union" || !issue.errors.length) return [issue];
  const atRoot = (i: Issue) =>
    i.path.length === 0 && (i.code === "invalid_type" || i.code === "invalid_value");
  const shaped = issue.errors.filter((branch) => !branch.every(atRoot));
  if (shaped.length === 1)
    return shaped[0]!.flatMap((i) =>
      unwrapUnion({ ...i, path: [...issue.path, ...i.path] } as Issue),
    );
  const expected = issue.errors.flatMap((branch) => branch.filter(atRoot).map((i) => i.message));
  return expected.length ? [{ ...issue, message: expected.join("; or ") }] : [issue];
}
