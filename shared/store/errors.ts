/**
 * Typed errors of the ObjectStore seam. Every backend maps its own failures (S3 status codes, R2 nulls,
 * errno values) onto these, so callers and decorators decide by class, never by backend: the retrying
 * decorator retries only transient ones (StoreUnavailableError, StoreTimeoutError), the edge maps `code`
 * to an HTTP status, and the index publisher treats PreconditionFailedError as "someone else moved
 * CURRENT first".
 */
import { CspladeError } from '../errors.ts';

/** The key does not exist (a range read or a required object). Absent keys in `get`/`head` return null. */
export class NotFoundError extends CspladeError {
  readonly key: string;
  constructor(backend: string, key: string, options?: { cause?: unknown }) {
    super('not_found', `${backend}: object "${key}" does not exist`, options);
    this.key = key;
  }
}

/** A conditional put lost: If-None-Match on an existing key, or If-Match against another etag. */
export class PreconditionFailedError extends CspladeError {
  readonly key: string;
  constructor(backend: string, key: string, condition: string, options?: { cause?: unknown }) {
    super('precondition_failed', `${backend}: conditional put of "${key}" failed (${condition})`, options);
    this.key = key;
  }
}

/** A transient failure (throttling, 5xx, network, lock contention): the same request may succeed later. */
export class StoreUnavailableError extends CspladeError {
  readonly key: string | undefined;
  constructor(backend: string, what: string, key?: string, options?: { cause?: unknown }) {
    const target = key === undefined ? '' : ` of "${key}"`;
    super('store_unavailable', `${backend}: ${what}${target} failed transiently`, options);
    this.key = key;
  }
}

/**
 * A read that did not answer within its deadline (the `withDeadlines` decorator): transient, like
 * StoreUnavailableError — a store that accepts connections and never answers must fail a read, not hang it.
 */
export class StoreTimeoutError extends CspladeError {
  readonly key: string | undefined;
  readonly timeoutMs: number;
  constructor(backend: string, what: string, key: string | undefined, timeoutMs: number) {
    const target = key === undefined ? '' : ` of "${key}"`;
    super('store_timeout', `${backend}: ${what}${target} did not answer within ${timeoutMs} ms`);
    this.key = key;
    this.timeoutMs = timeoutMs;
  }
}

/** Whether the same request may succeed later: what retrying decorators retry by default. */
export function isTransientStoreError(error: unknown): boolean {
  return error instanceof StoreUnavailableError || error instanceof StoreTimeoutError;
}

/** A range read asked for bytes outside the object (ByteSource readers must get exactly what they ask). */
export class InvalidRangeError extends CspladeError {
  readonly key: string;
  constructor(backend: string, key: string, offset: number, length: number, size: number | undefined) {
    const known = size === undefined ? 'a smaller object' : `an object of ${size} bytes`;
    super('invalid_range', `${backend}: range ${offset}+${length} of "${key}" lies outside ${known}`);
    this.key = key;
  }
}

/** A key the store refuses: empty, absolute, with "." or ".." segments, or reserved by the backend. */
export class InvalidKeyError extends CspladeError {
  readonly key: string;
  constructor(backend: string, key: string, reason: string) {
    super('invalid_key', `${backend}: invalid object key ${JSON.stringify(key)}: ${reason}`);
    this.key = key;
  }
}

/** A store URL or configuration that cannot be opened (unknown scheme, missing bucket, bad option). */
export class StoreConfigError extends CspladeError {
  constructor(message: string) {
    super('store_config', message);
  }
}

/** Any other permanent backend failure (403, 400, a full disk): retrying will not help. */
export class StoreRequestError extends CspladeError {
  readonly key: string | undefined;
  constructor(
    backend: string,
    what: string,
    key: string | undefined,
    detail: string,
    options?: { cause?: unknown },
  ) {
    const target = key === undefined ? '' : ` of "${key}"`;
    super('store_request_failed', `${backend}: ${what}${target} failed: ${detail}`, options);
    this.key = key;
  }
}
