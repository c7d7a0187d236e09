/**
 * The one error type the HTTP layer answers with, and the JSON shape every error response has:
 * `{"error": {"code", "message", "field"?}}`. Request validation throws ApiError with the status it
 * deserves; the search layer throws its own errors (search/errors.ts), which `toApiError` — the one
 * mapping of the routes — turns into statuses: a field the index cannot accept 400, an index or version
 * that does not exist 404, an index that cannot answer now 503. Failures of the index store are the
 * service's, not the caller's: they become 503 with Retry-After (every 503 carries one). Anything else
 * that escapes a handler becomes a 500 whose message says only that the server failed (the cause goes to
 * the log, not to the caller).
 */
import { CspladeError } from '../../shared/errors.ts';
import {
  IndexUnavailableError,
  InvalidSearchFieldError,
  isStoreFailure,
  SearchTargetNotFoundError,
} from '../search/errors.ts';

export type ApiErrorStatus = 400 | 401 | 404 | 405 | 408 | 413 | 415 | 500 | 503;

export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string };
}

/** Seconds a client is asked to wait before retrying a 503 (the Retry-After header). */
export const DEFAULT_RETRY_AFTER_S = 1;

export class ApiError extends CspladeError {
  readonly status: ApiErrorStatus;
  /** The request field that was wrong (a JSON path like "vector.foo" or a query parameter), when one was. */
  readonly field: string | undefined;
  /** Retry-After seconds; every 503 has one. */
  readonly retryAfterS: number | undefined;
  constructor(
    status: ApiErrorStatus,
    code: string,
    message: string,
    field?: string,
    options?: { cause?: unknown; retryAfterS?: number },
  ) {
    super(code, message, options);
    this.status = status;
    this.field = field;
    this.retryAfterS = options?.retryAfterS ?? (status === 503 ? DEFAULT_RETRY_AFTER_S : undefined);
  }

  toBody(): ApiErrorBody {
    return {
      error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) },
    };
  }

  /** The response headers this error adds (Retry-After). */
  headers(): Record<string, string> {
    return this.retryAfterS === undefined ? {} : { 'retry-after': String(this.retryAfterS) };
  }

  /** The JSON error response, for code that answers outside a Hono context. */
  toResponse(extraHeaders: Record<string, string> = {}): Response {
    return new Response(JSON.stringify(this.toBody()), {
      status: this.status,
      headers: { 'content-type': 'application/json', ...this.headers(), ...extraHeaders },
    });
  }
}

/** 400 for a request field that is missing, of the wrong type or out of range. */
export function invalidField(field: string, message: string): ApiError {
  return new ApiError(400, 'invalid_request', `${field}: ${message}`, field);
}

/**
 * Maps anything thrown by a handler to an ApiError: the search layer's errors to their statuses (code,
 * message and field kept), store failures to 503 (their code and message kept: they name the store and
 * the key, not the caller's input), unknown failures to an opaque 500.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof InvalidSearchFieldError)
    return new ApiError(400, error.code, error.message, error.field);
  if (error instanceof SearchTargetNotFoundError) {
    return new ApiError(404, error.code, error.message, error.field);
  }
  if (error instanceof IndexUnavailableError) {
    return new ApiError(503, error.code, error.message, undefined, { cause: error.cause });
  }
  if (isStoreFailure(error)) {
    return new ApiError(
      503,
      (error as CspladeError).code,
      `the index store cannot answer now: ${(error as Error).message}`,
      undefined,
      {
        cause: error,
      },
    );
  }
  return new ApiError(500, 'internal', 'the server failed to answer this request', undefined, {
    cause: error,
  });
}
