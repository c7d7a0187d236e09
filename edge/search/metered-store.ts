/**
 * The cost report of one request: an ObjectStore view that counts the requests (subrequests, in
 * Workers terms) and bytes that pass through it. Each request wraps the shared store in its own meter,
 * so concurrent requests never mix their counts; caches sit in front of it, so a warm request that
 * re-reads nothing reports zero.
 */
import type { ObjectInfo, ObjectStore, PutOptions } from '../../shared/store/object-store.ts';

export interface RequestCost {
  /** Store requests (each one a Worker subrequest). */
  subrequests: number;
  /** Bytes read from the store. */
  bytes: number;
  /** Hot regions served by the Cache API instead of the store. */
  cacheHits: number;
}

export function meteredStore(store: ObjectStore): { store: ObjectStore; cost: RequestCost } {
  const cost: RequestCost = { subrequests: 0, bytes: 0, cacheHits: 0 };
  const metered: ObjectStore = {
    async get(key) {
      cost.subrequests++;
      const object = await store.get(key);
      if (object) cost.bytes += object.bytes.length;
      return object;
    },
    async getRange(key, offset, length) {
      cost.subrequests++;
      const bytes = await store.getRange(key, offset, length);
      cost.bytes += bytes.length;
      return bytes;
    },
    head(key): Promise<ObjectInfo | null> {
      cost.subrequests++;
      return store.head(key);
    },
    put(key: string, bytes: Uint8Array, options?: PutOptions) {
      cost.subrequests++;
      return store.put(key, bytes, options);
    },
    list(prefix) {
      cost.subrequests++;
      return store.list(prefix);
    },
    delete(key) {
      cost.subrequests++;
      return store.delete(key);
    },
  };
  return { store: metered, cost };
}
