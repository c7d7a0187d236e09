/**
 * Each shard of a query is searched with a deadline and, when the failure may be transient, one retry.
 * Corruption and missing objects are permanent (a retry would cost subrequests for the same answer);
 * timeouts, network errors and StoreUnavailableError are worth a second try.
 */
import { CspladeError } from '../../shared/errors.ts';
import { settleWithin } from '../../shared/store/deadline.ts';

export class ShardTimeoutError extends CspladeError {
  constructor(shard: string, ms: number) {
    super('shard_timeout', `shard ${shard} did not answer within ${ms} ms`);
  }
}

const PERMANENT_CODES = new Set([
  'corrupt_shard',
  'corrupt_postings',
  'unsupported_shard_version',
  'not_found',
  'invalid_range',
  'invalid_key',
  'invalid_shard_request',
  'shard_mismatch',
]);

export function isRetryable(error: unknown): boolean {
  return !(error instanceof CspladeError && PERMANENT_CODES.has(error.code));
}

/** Rejects with ShardTimeoutError when `task` has not settled after `ms`. */
export function withTimeout<T>(task: Promise<T>, ms: number, shard: string): Promise<T> {
  return settleWithin(task, ms, () => new ShardTimeoutError(shard, ms));
}

/**
 * Runs `attempt` with a timeout; once more when the first failure is retryable.
 * `beforeRetry` lets the caller drop cached state the failed attempt may have left.
 */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  options: { timeoutMs: number; shard: string; beforeRetry?: () => void },
): Promise<T> {
  try {
    return await withTimeout(attempt(), options.timeoutMs, options.shard);
  } catch (error) {
    if (!isRetryable(error)) throw error;
    options.beforeRetry?.();
    return await withTimeout(attempt(), options.timeoutMs, options.shard);
  }
}
