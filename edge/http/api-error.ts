/**
 * The one error type the HTTP layer answers with, and the JSON shape every error response has:
 * `{"error": {"code", "message", "field"?}}`. Validation, lookup and search code throw ApiError with the
 * status it deserves; anything else that escapes a handler becomes a 500 whose message says only that
 * the server failed (the cause goes to the log, not to the caller).
 */
import { CspladeError } from '../../shared/errors.ts';

export type ApiErrorStatus = 400 | 401 | 404 | 405 | 413 | 415 | 500 | 503;

export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string };
}

export class ApiError extends CspladeError {
  readonly status: ApiErrorStatus;
  /** The request field that was wrong (a JSON path like "vector.foo" or a query parameter), when one was. */
  readonly field: string | undefined;
  constructor(
    status: ApiErrorStatus,
    code: string,
    message: string,
    field?: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.status = status;
    this.field = field;
  }

  toBody(): ApiErrorBody {
    return {
      error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) },
    };
  }
}

/** 400 for a request field that is missing, of the wrong type or out of range. */
export function invalidField(field: string, message: string): ApiError {
  return new ApiError(400, 'invalid_request', `${field}: ${message}`, field);
}

/** Maps anything thrown by a handler to an ApiError (unknown failures become an opaque 500). */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(500, 'internal', 'the server failed to answer this request', undefined, {
    cause: error,
  });
}
