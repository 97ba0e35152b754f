import type { Context } from "hono";
import type { z } from "zod";
import { validationError } from "./errors";

/** The JSON body, refused like HubSpot refuses input it cannot map. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "")
    throw validationError("Invalid input JSON : No content to map due to end-of-input");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw validationError(`Invalid input JSON on line 1, column 1: ${(e as Error).message}`);
  }
}

/**
 * Reads the body through a zod schema; the first problem becomes a VALIDATION_ERROR naming the
 * field.
 */
export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const parsed = schema.safeParse(await readJson(c));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join(".") || "body";
  throw validationError(`Invalid input JSON: ${field}: ${issue?.message ?? "invalid"}`, {
    errors: parsed.error.issues.map((i) => ({ message: i.message, in: i.path.join(".") })),
  });
}

/** An integer query parameter, or the fallback when absent. */
export function intQuery(c: Context, name: string, fallback: number): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n))
    throw validationError(`Unable to parse ${name}: ${raw} is not a valid integer`);
  return n;
}
