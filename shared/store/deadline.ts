/**
 * `withDeadlines(store, { readMs })`: every read (get, getRange, head) and every listing answers within
 * its deadline or fails with StoreTimeoutError, a transient error. The seam has no cancellation, so an
 * expired read is abandoned, not aborted: the caller is free at once and the backend's own socket
 * timeout (open.node.ts sets one for S3) reclaims the connection. Writes pass through untouched: a write
 * abandoned mid-flight may still land, and a caller that cannot tell whether a conditional put won
 * (CURRENT) must not be told "failed" by a timer. Runtime-neutral (setTimeout only), so the Node and the
 * Workers entries wrap their stores (S3, folder, R2 binding) the same way.
 *
 * Wrap it outside `retrying`: the deadline then bounds one logical read, all its attempts included.
 * @example const store = withDeadlines(openStore(url), { readMs: 5_000 });
 */
import { StoreTimeoutError } from './errors.ts';
import type { ObjectStore } from './object-store.ts';

export interface DeadlinePolicy {
  /** Most milliseconds one get, getRange or head may take. */
  readonly readMs: number;
  /** Most milliseconds one list or listPrefixes may take (default readMs; listings page internally). */
  readonly listMs?: number;
  /** Name of the store in error messages (default "store"). */
  readonly name?: string;
}

export const DEFAULT_STORE_READ_TIMEOUT_MS = 5_000;

/** Rejects with StoreTimeoutError when `task` has not settled after `ms`; clears its timer either way. */
export function settleWithin<T>(task: Promise<T>, ms: number, timeout: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeout()), ms);
  });
  return Promise.race([task, expired]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
}

export function withDeadlines(store: ObjectStore, policy: DeadlinePolicy): ObjectStore {
  const readMs = checkMs(policy.readMs, 'readMs');
  const listMs = checkMs(policy.listMs ?? policy.readMs, 'listMs');
  const name = policy.name ?? 'store';
  const bounded = <T>(what: string, key: string | undefined, ms: number, call: () => Promise<T>) =>
    settleWithin(call(), ms, () => new StoreTimeoutError(name, what, key, ms));
  return {
    get: (key) => bounded('get', key, readMs, () => store.get(key)),
    getRange: (key, offset, length) =>
      bounded('range read', key, readMs, () => store.getRange(key, offset, length)),
    head: (key) => bounded('head', key, readMs, () => store.head(key)),
    list: (prefix) => bounded('list', prefix, listMs, () => store.list(prefix)),
    listPrefixes: (prefix) => bounded('list prefixes', prefix, listMs, () => store.listPrefixes(prefix)),
    put: (key, bytes, options) => store.put(key, bytes, options),
    delete: (key) => store.delete(key),
  };
}

function checkMs(ms: number, what: string): number {
  if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`${what} must be a number of ms > 0, got ${ms}`);
  return ms;
}
