import { randomUUID } from "node:crypto";

// HubSpot's error body; `Error` in the OpenAPI documents (category, correlationId, message
// required).
export interface ErrorBody {
  status: "error";
  message: string;
  correlationId: string;
  category: string;
  subCategory?: string;
  errors?: {
    message: string;
    in?: string;
    code?: string;
    subCategory?: string;
    context?: Record<string, string[]>;
  }[];
  context?: Record<string, string[]>;
  links?: Record<string, string>;
  [extra: string]: unknown;
}

// Errors inside a 207 batch answer; `StandardError` in the documents requires context, errors and
// links.
export interface StandardError {
  status: "error";
  category: string;
  message: string;
  context: Record<string, string[]>;
  errors: { message: string }[];
  links: Record<string, string>;
}

export class HubSpotError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }
}

export function errorBody(
  category: string,
  message: string,
  extra: Partial<ErrorBody> = {},
): ErrorBody {
  return { status: "error", message, correlationId: randomUUID(), category, ...extra };
}

export const validationError = (message: string, extra: Partial<ErrorBody> = {}) =>
  new HubSpotError(400, errorBody("VALIDATION_ERROR", message, extra));

export const objectNotFound = () =>
  new HubSpotError(404, errorBody("OBJECT_NOT_FOUND", "resource not found"));

export const invalidAuthentication = () =>
  new HubSpotError(
    401,
    errorBody(
      "INVALID_AUTHENTICATION",
      "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
    ),
  );

const API_KEY_PAGE = "https://app.hubspot.com/l/api-key/";

/** A developer API call without `hapikey` (nor any other credential). */
export const missingApiKey = () =>
  new HubSpotError(
    401,
    errorBody(
      "INVALID_AUTHENTICATION",
      "Authentication credentials not found. This API supports both API Key and OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
    ),
  );

/** A `hapikey` HubSpot does not know. */
export const invalidApiKey = () =>
  new HubSpotError(
    401,
    errorBody(
      "INVALID_AUTHENTICATION",
      `The API key provided is invalid. View or manage your API key here: ${API_KEY_PAGE}`,
      { links: { "api key": API_KEY_PAGE } },
    ),
  );

/**
 * HubSpot's answer to a call the token has no scope for: 403 `MISSING_SCOPES`, naming the scopes
 * the call needs.
 */
export const missingScopes = (scopes: string[]) =>
  new HubSpotError(
    403,
    errorBody(
      "MISSING_SCOPES",
      "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
      {
        errors: [
          {
            message: "One or more of the following scopes are required.",
            context: { requiredGranularScopes: scopes },
          },
        ],
        links: { scopes: "https://developers.hubspot.com/scopes" },
      },
    ),
  );

export function standardError(
  category: string,
  message: string,
  context: Record<string, string[]>,
): StandardError {
  return { status: "error", category, message, context, errors: [], links: {} };
}

/**
 * One problem with one property value, in the shape HubSpot embeds in its VALIDATION_ERROR message.
 */
export interface PropertyProblem {
  isValid: false;
  message: string;
  error: string;
  name: string;
  localizedErrorMessage: string;
  portalId: number;
}

export function propertyProblem(
  name: string,
  error: string,
  message: string,
  portalId: number,
): PropertyProblem {
  return { isValid: false, message, error, name, localizedErrorMessage: message, portalId };
}

export function propertyValuesError(problems: PropertyProblem[]): HubSpotError {
  return validationError(`Property values were not valid: ${JSON.stringify(problems)}`);
}
