// Salesforce's error shapes: REST endpoints answer `[{message, errorCode, fields?}]`,
// sObject Collections put `{statusCode, message, fields}` inside each result.

export interface CollectionError {
  statusCode: string;
  message: string;
  fields: string[];
}

export class SalesforceError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields?: string[],
    /** Extra members some errors carry, e.g. duplicateResult on DUPLICATES_DETECTED. */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }

  toRestBody(): Record<string, unknown>[] {
    const body: Record<string, unknown> = {
      ...this.extra,
      message: this.message,
      errorCode: this.errorCode,
    };
    if (this.fields) body.fields = this.fields;
    return [body];
  }

  toCollectionError(): CollectionError {
    return { statusCode: this.errorCode, message: this.message, fields: this.fields ?? [] };
  }
}

export const notFound = () =>
  new SalesforceError(404, "NOT_FOUND", "The requested resource does not exist");

export const invalidSession = () =>
  new SalesforceError(401, "INVALID_SESSION_ID", "Session expired or invalid");

export const requestLimitExceeded = () =>
  new SalesforceError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");

export const unableToLockRow = (ids: string[]) =>
  new SalesforceError(
    400,
    "UNABLE_TO_LOCK_ROW",
    `unable to obtain exclusive access to this record or ${ids.length} records: ${ids.join(",")}`,
    [],
  );

export const jsonParserError = (detail: string) =>
  new SalesforceError(400, "JSON_PARSER_ERROR", detail);

/** Bodies for injected 5xx faults, as Salesforce's front end returns them. */
export function serverErrorBody(status: number): Record<string, unknown>[] {
  if (status === 500) {
    const errorId = `${Math.floor(Math.random() * 1e9)}-${Math.floor(Math.random() * 1e5)} (${-Math.floor(Math.random() * 1e9)})`;
    return [
      {
        message: `An unexpected error occurred. Please include this ErrorId if you contact support: ${errorId}`,
        errorCode: "UNKNOWN_EXCEPTION",
      },
    ];
  }
  return [
    {
      message: "Server temporarily unavailable. Please try again later.",
      errorCode: "SERVER_UNAVAILABLE",
    },
  ];
}
