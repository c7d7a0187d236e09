/**
 * A store wrapper that fails on purpose, for decorator tests: each operation can be given a queue of
 * faults, consumed one per call. A fault thrown `before` the call never reaches the inner store (a refused
 * connection); one thrown `after` lets the call happen and loses its answer (a timeout after the write) —
 * the case no real backend can be made to show on demand.
 */
import type { ObjectStore } from '../../../shared/store/object-store.ts';

export type Operation = 'get' | 'getRange' | 'head' | 'put' | 'list' | 'delete';
export interface Fault {
  readonly error: Error;
  readonly when?: 'before' | 'after';
}

export interface FaultyStore extends ObjectStore {
  /** Queues faults for the next calls of `operation`. */
  fail(operation: Operation, ...faults: Fault[]): void;
  /** Calls that reached the inner store, per operation. */
  readonly calls: Record<Operation, number>;
}

export function faultyStore(inner: ObjectStore): FaultyStore {
  const queues: Record<Operation, Fault[]> = {
    get: [],
    getRange: [],
    head: [],
    put: [],
    list: [],
    delete: [],
  };
  const calls: Record<Operation, number> = { get: 0, getRange: 0, head: 0, put: 0, list: 0, delete: 0 };
  async function run<T>(operation: Operation, call: () => Promise<T>): Promise<T> {
    const fault = queues[operation].shift();
    if (fault && (fault.when ?? 'before') === 'before') throw fault.error;
    calls[operation]++;
    const result = await call();
    if (fault) throw fault.error;
    return result;
  }
  return {
    calls,
    fail(operation, ...faults) {
      queues[operation].push(...faults);
    },
    get: (key) => run('get', () => inner.get(key)),
    getRange: (key, offset, length) => run('getRange', () => inner.getRange(key, offset, length)),
    head: (key) => run('head', () => inner.head(key)),
    put: (key, bytes, options) => run('put', () => inner.put(key, bytes, options)),
    list: (prefix) => run('list', () => inner.list(prefix)),
    listPrefixes: (prefix) => run('list', () => inner.listPrefixes(prefix)),
    delete: (key) => run('delete', () => inner.delete(key)),
  };
}
