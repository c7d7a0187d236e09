/**
 * What a search can fail with, in the search's own terms: the request names something this index cannot
 * accept (a field), something that does not exist (an index, a version), or the index cannot answer now.
 * The search layer knows nothing of HTTP; edge/http/api-error.ts (`toApiError`) is the one place these
 * become status codes and the `{error: {code, message, field?}}` body.
 */
import { CodedError, CspladeError } from '../../shared/errors.ts';

/** A request field (a JSON path such as "vector.foo", or a parameter) that this index cannot accept. */
export class InvalidSearchFieldError extends CspladeError {
  readonly field: string;
  constructor(field: string, reason: string) {
    super('invalid_request', `${field}: ${reason}`);
    this.field = field;
  }
}

/** An index or a version the request names that the store does not hold. */
export class SearchTargetNotFoundError extends CspladeError {
  readonly field: 'index' | 'version';
  constructor(code: 'unknown_index' | 'unknown_version', message: string, field: 'index' | 'version') {
    super(code, message);
    this.field = field;
  }
}

export type IndexUnavailableCode =
  | 'index_unavailable'
  | 'corrupt_manifest'
  | 'missing_asset'
  | 'encoder_unavailable'
  | 'no_shard_answered';

/**
 * The index cannot answer now — its CURRENT pointer or manifest cannot be read, its query encoder cannot
 * be built, no shard answered — though the request was valid: worth retrying later.
 */
export class IndexUnavailableError extends CodedError<IndexUnavailableCode> {}

/** Store error codes (shared/store/errors.ts) that mean "the index store cannot answer now". */
const STORE_FAILURES = new Set(['store_unavailable', 'store_timeout', 'store_request_failed']);

/** Whether `error` is the index store failing, rather than what was read being wrong. */
export function isStoreFailure(error: unknown): boolean {
  return error instanceof CspladeError && STORE_FAILURES.has(error.code);
}
