/**
 * `retrying(store, policy)`: retries transient failures with exponential backoff and full jitter (a random
 * pause between 0 and base·2^attempt, capped), a bounded number of attempts. Only StoreUnavailableError
 * (backends map throttling, 5xx and network errors onto it) and StoreTimeoutError are transient by
 * default, so 404, 412, 403 and bad ranges fail at once. A conditional put that failed transiently and then met PreconditionFailed may
 * have won with the earlier attempt (the answer was lost, not the write): it reads the key back to tell.
 * Runtime-neutral (timers only). Wrap counting inside it to count every attempt as a request.
 */
import { settleAmbiguousPut } from './ambiguous-put.ts';
import { isTransientStoreError, PreconditionFailedError } from './errors.ts';
import type { ObjectInfo, ObjectStore, PutOptions } from './object-store.ts';

export interface RetryEvent {
  readonly operation: string;
  readonly key: string | undefined;
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
}

export interface RetryPolicy {
  /** Attempts in all, the first included (default 4). */
  readonly maxAttempts?: number;
  /** Upper bound of the first pause (default 50 ms); doubles per attempt. */
  readonly baseDelayMs?: number;
  /** Cap of any pause (default 2,000 ms). */
  readonly maxDelayMs?: number;
  /** Which failures are worth another attempt (default: StoreUnavailableError, StoreTimeoutError). */
  readonly isRetryable?: (error: unknown) => boolean;
  /** Injected in tests; default setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Injected in tests; default Math.random. */
  readonly random?: () => number;
  /** Called before each pause, e.g. to log. */
  readonly onRetry?: (event: RetryEvent) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The pause after failed attempt `attempt` (from 1): uniform in [0, min(max, base·2^(attempt-1))). */
export function backoffDelayMs(
  attempt: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

export function retrying(store: ObjectStore, policy: RetryPolicy = {}): ObjectStore {
  const maxAttempts = Math.max(1, policy.maxAttempts ?? 4);
  const baseDelayMs = policy.baseDelayMs ?? 50;
  const maxDelayMs = policy.maxDelayMs ?? 2_000;
  const isRetryable = policy.isRetryable ?? isTransientStoreError;
  const sleep = policy.sleep ?? defaultSleep;
  const random = policy.random ?? Math.random;

  async function attempt<T>(
    operation: string,
    key: string | undefined,
    call: () => Promise<T>,
    onConditionLostAfterRetry?: (error: PreconditionFailedError) => Promise<T>,
  ): Promise<T> {
    for (let attemptNumber = 1; ; attemptNumber++) {
      try {
        return await call();
      } catch (error) {
        if (attemptNumber > 1 && onConditionLostAfterRetry && error instanceof PreconditionFailedError) {
          return onConditionLostAfterRetry(error);
        }
        if (!isRetryable(error) || attemptNumber >= maxAttempts) throw error;
        const delayMs = backoffDelayMs(attemptNumber, baseDelayMs, maxDelayMs, random);
        policy.onRetry?.({ operation, key, attempt: attemptNumber, delayMs, error });
        await sleep(delayMs);
      }
    }
  }

  return {
    get: (key) => attempt('get', key, () => store.get(key)),
    getRange: (key, offset, length) => attempt('getRange', key, () => store.getRange(key, offset, length)),
    head: (key) => attempt('head', key, () => store.head(key)),
    list: (prefix) => attempt('list', undefined, () => store.list(prefix)),
    listPrefixes: (prefix) => attempt('list prefixes', undefined, () => store.listPrefixes(prefix)),
    delete: (key) => attempt('delete', key, () => store.delete(key)),
    put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<ObjectInfo> {
      const conditional = options?.ifNoneMatch === '*' || options?.ifMatch !== undefined;
      if (!conditional) return attempt('put', key, () => store.put(key, bytes, options));
      return attempt(
        'put',
        key,
        () => store.put(key, bytes, options),
        async (error) => {
          // An earlier attempt failed transiently; this one found the condition broken. Maybe by us.
          const outcome = await settleAmbiguousPut(store, key, bytes, options!);
          if (outcome.kind === 'won') return outcome.info;
          throw error;
        },
      );
    },
  };
}
