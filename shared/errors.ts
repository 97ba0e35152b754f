import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export const ErrorCode = {
  BadRequest: "bad_request",
  /** A document that fits its schema but not the systems it names (a mapping against Salesforce). */
  Validation: "validation",
  Unauthorized: "unauthorized",
  Forbidden: "forbidden",
  NotFound: "not_found",
  PayloadTooLarge: "payload_too_large",
  UnsupportedMediaType: "unsupported_media_type",
  Conflict: "conflict",
  Misconfigured: "misconfigured",
  Upstream: "upstream_error",
  /** A system a write must check against cannot be reached now: nothing was saved, try again. */
  Unavailable: "unavailable",
  Internal: "internal_error",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  bad_request: 400,
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  conflict: 409,
  misconfigured: 500,
  upstream_error: 502,
  unavailable: 503,
  internal_error: 500,
};

/** One part of a document at fault, and what is wrong with it (a 400's `fields`). */
export interface FieldError {
  /** Its index in the document's list, or null for the whole document. */
  index: number | null;
  field: string;
  problem: string;
}

/**
 * An error that becomes `{ error: { code, message, requestId } }` with a fitting status, plus
 * `fields` when it names each part of a document at fault.
 */
export class HttpError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldError[],
  ) {
    super(message);
    this.name = "HttpError";
  }
  get status(): ContentfulStatusCode {
    return STATUS[this.code];
  }
}

export function errorBody(
  code: ErrorCode,
  message: string,
  requestId: string,
  fields?: FieldError[],
) {
  return { error: { code, message, requestId, ...(fields ? { fields } : {}) } };
}

export function jsonError(c: Context, code: ErrorCode, message: string) {
  const requestId = (c.get("requestId" as never) as string | undefined) ?? "unknown";
  return c.json(errorBody(code, message, requestId), STATUS[code]);
}
