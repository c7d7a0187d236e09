/**
 * A store wrapper for the faults a real backend cannot be made to show on demand in an in-process test:
 * reads of chosen keys that never answer (a store that accepts connections and goes silent), answer
 * late, or fail transiently. Everything else goes to the inner store. The real-part versions of the
 * same faults (an S3 server that never answers, a FIFO in a folder store) are in the Node-entry tests.
 */
import { StoreUnavailableError } from '../../../shared/store/errors.ts';
import type { ObjectStore } from '../../../shared/store/object-store.ts';

export type ReadFault = 'hang' | 'unavailable' | { readonly delayMs: number };

export interface StallingStore extends ObjectStore {
  /** From now on, reads whose key (or listing prefix) matches `pattern` meet `fault`; null clears it. */
  stall(pattern: RegExp, fault: ReadFault | null): void;
}

export function stallingStore(inner: ObjectStore): StallingStore {
  const rules = new Map<string, { pattern: RegExp; fault: ReadFault }>();
  async function read<T>(what: string, key: string, call: () => Promise<T>): Promise<T> {
    for (const { pattern, fault } of rules.values()) {
      if (!pattern.test(key)) continue;
      if (fault === 'hang') return new Promise<never>(() => {});
      if (fault === 'unavailable') throw new StoreUnavailableError('stalling', what, key);
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    }
    return call();
  }
  return {
    stall(pattern, fault) {
      if (fault === null) rules.delete(pattern.source);
      else rules.set(pattern.source, { pattern, fault });
    },
    get: (key) => read('get', key, () => inner.get(key)),
    getRange: (key, offset, length) => read('range read', key, () => inner.getRange(key, offset, length)),
    head: (key) => read('head', key, () => inner.head(key)),
    list: (prefix) => read('list', prefix, () => inner.list(prefix)),
    listPrefixes: (prefix) => read('list prefixes', prefix, () => inner.listPrefixes(prefix)),
    put: (key, bytes, options) => inner.put(key, bytes, options),
    delete: (key) => inner.delete(key),
  };
}
