import type { Context } from "hono";
import type { z } from "zod";
import { ErrorCode, HttpError } from "../../shared/errors";
import { describeZodError } from "../../shared/zod-error";

/** Parses a JSON body with a schema; a bad body is a 400 naming the first offending field. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    throw new HttpError(ErrorCode.BadRequest, "Body is not valid JSON");
  }
  return parseWith(schema, json, "body");
}

export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return parseWith(schema, c.req.query(), "query");
}

export function readParams<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return parseWith(schema, c.req.param(), "path");
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, root: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new HttpError(ErrorCode.BadRequest, describeZodError(parsed.error, root));
  return parsed.data;
}

export const iso = (ms: number | null | undefined): string | null =>
  ms == null ? null : new Date(ms).toISOString();
