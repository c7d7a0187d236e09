/**
 * `counting(store)`: requests, failures and bytes per operation, for the edge's per-query report of
 * subrequests and bytes, and for benchmarks. Put it innermost — `retrying(counting(backend))` — to count
 * every attempt that reached the backend; outermost to count the calls a caller made. A `list` counts as
 * one request here although a backend may fetch several pages. Runtime-neutral, no clocks.
 */
import type { ObjectInfo, ObjectStore, PutOptions } from './object-store.ts';

export const STORE_OPERATIONS = ['get', 'getRange', 'head', 'put', 'list', 'delete'] as const;
export type StoreOperation = (typeof STORE_OPERATIONS)[number];

export interface OperationCounts {
  readonly requests: number;
  /** Requests that threw (absent keys in get/head return null and are not failures). */
  readonly failures: number;
  readonly bytesRead: number;
  readonly bytesWritten: number;
}

export interface StoreCounts {
  readonly total: OperationCounts;
  readonly byOperation: Readonly<Record<StoreOperation, OperationCounts>>;
}

export interface CountingObjectStore extends ObjectStore {
  /** A snapshot; later requests do not change it. */
  counts(): StoreCounts;
  /** Starts counting from zero (e.g. at the start of a query). */
  reset(): void;
}

type MutableCounts = { requests: number; failures: number; bytesRead: number; bytesWritten: number };
type CountsByOperation = Record<StoreOperation, MutableCounts>;
const zero = (): MutableCounts => ({ requests: 0, failures: 0, bytesRead: 0, bytesWritten: 0 });
const freshCounts = (): CountsByOperation =>
  Object.fromEntries(STORE_OPERATIONS.map((op) => [op, zero()])) as CountsByOperation;
const noBytes = () => 0;

export function counting(store: ObjectStore): CountingObjectStore {
  let byOperation = freshCounts();

  async function track<T>(
    operation: StoreOperation,
    call: () => Promise<T>,
    bytesOf: (result: T) => number,
    bytesWritten = 0,
  ): Promise<T> {
    // The counts of the period the request started in: a reset meanwhile does not move it to the next one.
    const counts = byOperation[operation];
    counts.requests++;
    try {
      const result = await call();
      counts.bytesRead += bytesOf(result);
      counts.bytesWritten += bytesWritten;
      return result;
    } catch (error) {
      counts.failures++;
      throw error;
    }
  }

  return {
    get: (key) =>
      track(
        'get',
        () => store.get(key),
        (found) => found?.bytes.length ?? 0,
      ),
    getRange: (key, offset, length) =>
      track(
        'getRange',
        () => store.getRange(key, offset, length),
        (b) => b.length,
      ),
    head: (key) => track('head', () => store.head(key), noBytes),
    list: (prefix) => track('list', () => store.list(prefix), noBytes),
    listPrefixes: (prefix) => track('list', () => store.listPrefixes(prefix), noBytes),
    delete: (key) => track('delete', () => store.delete(key), noBytes),
    put: (key: string, bytes: Uint8Array, options?: PutOptions): Promise<ObjectInfo> =>
      track('put', () => store.put(key, bytes, options), noBytes, bytes.length),
    counts: () => snapshotOf(byOperation),
    reset() {
      byOperation = freshCounts();
    },
  };
}

/** A copy of the counts per operation, with their total. */
function snapshotOf(byOperation: CountsByOperation): StoreCounts {
  const snapshot = Object.fromEntries(STORE_OPERATIONS.map((op) => [op, { ...byOperation[op] }])) as Record<
    StoreOperation,
    OperationCounts
  >;
  const total = zero();
  for (const op of STORE_OPERATIONS) {
    total.requests += snapshot[op].requests;
    total.failures += snapshot[op].failures;
    total.bytesRead += snapshot[op].bytesRead;
    total.bytesWritten += snapshot[op].bytesWritten;
  }
  return { total, byOperation: snapshot };
}
