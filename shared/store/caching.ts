/**
 * `caching(store, { maxBytes })`: a read-through cache of immutable objects and byte ranges, least recently
 * used first out, bounded by the bytes it holds. The edge keeps shards' hot regions and dictionaries here;
 * shard files never change once written (a new index version has new keys), so entries need no expiry —
 * `isImmutable` keeps mutable keys such as CURRENT out. A range is served from any cached range or whole
 * object that contains it, and identical reads in flight at once share one request. Each read gets its own
 * copy, as from any store, unless `shareBytes` is set: then callers get views of the cached bytes (no
 * memcpy on the hot path) and must never write to them. Writes and deletes through this store drop the
 * key's entries. Runtime-neutral.
 */
import { InvalidRangeError } from './errors.ts';
import type { ObjectInfo, ObjectStore, PutOptions } from './object-store.ts';

export interface CachingOptions {
  /** Upper bound of cached bytes (object and range bodies; head entries weigh their key plus 64). */
  readonly maxBytes: number;
  /** Keys whose objects never change once written; others pass through uncached. Default: every key. */
  readonly isImmutable?: (key: string) => boolean;
  /** Hand out views of cached bytes instead of copies; only for callers that never write to them. */
  readonly shareBytes?: boolean;
}

export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  /** Reads that joined an identical read already in flight instead of starting their own. */
  readonly joined: number;
  readonly evictions: number;
  readonly entries: number;
  readonly bytes: number;
}

export interface CachingObjectStore extends ObjectStore {
  stats(): CacheStats;
  clear(): void;
}

interface Entry {
  readonly id: string;
  readonly key: string;
  /** Byte offset of `bytes` in the object (0 for whole objects). */
  readonly offset: number;
  readonly bytes: Uint8Array;
  /** Present for whole objects and head results: then the object's size is known. */
  readonly info?: ObjectInfo;
  readonly whole: boolean;
  readonly weight: number;
}

const HEAD_WEIGHT = 64;

export function caching(store: ObjectStore, options: CachingOptions): CachingObjectStore {
  const isImmutable = options.isImmutable ?? (() => true);
  const handOut = options.shareBytes ? (view: Uint8Array) => view : (view: Uint8Array) => view.slice();
  /** Insertion order is recency order: a hit deletes and re-inserts its entry. */
  const lru = new Map<string, Entry>();
  const entriesByKey = new Map<string, Set<string>>();
  /** Bumped when a key is written or deleted, so a read that started before does not cache stale bytes. */
  const generations = new Map<string, number>();
  const inFlight = new Map<string, Promise<unknown>>();
  let bytes = 0;
  let hits = 0;
  let misses = 0;
  let joined = 0;
  let evictions = 0;

  const touch = (entry: Entry) => {
    lru.delete(entry.id);
    lru.set(entry.id, entry);
  };

  function remove(entry: Entry) {
    lru.delete(entry.id);
    bytes -= entry.weight;
    const ids = entriesByKey.get(entry.key);
    ids?.delete(entry.id);
    if (ids?.size === 0) entriesByKey.delete(entry.key);
  }

  function insert(entry: Entry, generation: number) {
    if ((generations.get(entry.key) ?? 0) !== generation) return;
    if (entry.weight > options.maxBytes) return;
    const existing = lru.get(entry.id);
    if (existing) remove(existing);
    lru.set(entry.id, entry);
    bytes += entry.weight;
    let ids = entriesByKey.get(entry.key);
    if (!ids) entriesByKey.set(entry.key, (ids = new Set()));
    ids.add(entry.id);
    for (const oldest of lru.values()) {
      if (bytes <= options.maxBytes) break;
      remove(oldest);
      evictions++;
    }
  }

  function entriesOf(key: string): Entry[] {
    const ids = entriesByKey.get(key);
    return ids ? [...ids].map((id) => lru.get(id)!) : [];
  }

  function invalidate(key: string) {
    generations.set(key, (generations.get(key) ?? 0) + 1);
    for (const entry of entriesOf(key)) remove(entry);
  }

  /** One request per distinct read at a time; everyone asking meanwhile awaits the same promise. */
  function shared<T>(flightId: string, load: () => Promise<T>): Promise<T> {
    const pending = inFlight.get(flightId);
    if (pending) {
      joined++;
      return pending as Promise<T>;
    }
    misses++;
    const promise = load().finally(() => inFlight.delete(flightId));
    inFlight.set(flightId, promise);
    return promise;
  }

  return {
    async get(key) {
      if (!isImmutable(key)) return store.get(key);
      const whole = lru.get(`o\0${key}`);
      if (whole) {
        hits++;
        touch(whole);
        return { bytes: handOut(whole.bytes), info: whole.info! };
      }
      const generation = generations.get(key) ?? 0;
      const found = await shared(`o\0${key}`, async () => {
        const loaded = await store.get(key);
        if (loaded) {
          const { bytes, info } = loaded;
          insert(
            { id: `o\0${key}`, key, offset: 0, bytes, info, whole: true, weight: bytes.length },
            generation,
          );
        }
        return loaded;
      });
      return found && { bytes: handOut(found.bytes), info: found.info };
    },

    async getRange(key, offset, length) {
      const wellFormed =
        Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0;
      // Malformed arguments go to the backend, whose error the caller expects.
      if (!isImmutable(key) || !wellFormed) return store.getRange(key, offset, length);
      for (const entry of entriesOf(key)) {
        if (entry.info && offset + length > entry.info.size) {
          throw new InvalidRangeError('cache', key, offset, length, entry.info.size);
        }
        const start = offset - entry.offset;
        if (start >= 0 && start + length <= entry.bytes.length) {
          hits++;
          touch(entry);
          return handOut(entry.bytes.subarray(start, start + length));
        }
      }
      const generation = generations.get(key) ?? 0;
      const id = `r\0${key}\0${offset}\0${length}`;
      const range = await shared(id, async () => {
        const loaded = await store.getRange(key, offset, length);
        insert({ id, key, offset, bytes: loaded, whole: false, weight: loaded.length }, generation);
        return loaded;
      });
      return handOut(range);
    },

    async head(key) {
      if (!isImmutable(key)) return store.head(key);
      const known = lru.get(`o\0${key}`) ?? lru.get(`h\0${key}`);
      if (known?.info) {
        hits++;
        touch(known);
        return known.info;
      }
      const generation = generations.get(key) ?? 0;
      const id = `h\0${key}`;
      return shared(id, async () => {
        const info = await store.head(key);
        if (info) {
          const entry = {
            id,
            key,
            offset: 0,
            bytes: new Uint8Array(0),
            info,
            whole: false,
            weight: HEAD_WEIGHT + key.length,
          };
          insert(entry, generation);
        }
        return info;
      });
    },

    async put(key: string, body: Uint8Array, putOptions?: PutOptions) {
      invalidate(key);
      try {
        return await store.put(key, body, putOptions);
      } finally {
        invalidate(key); // a read that raced the write may have cached the old bytes meanwhile
      }
    },

    list: (prefix) => store.list(prefix),
    listPrefixes: (prefix) => store.listPrefixes(prefix),

    async delete(key) {
      invalidate(key);
      try {
        await store.delete(key);
      } finally {
        invalidate(key);
      }
    },

    stats: () => ({ hits, misses, joined, evictions, entries: lru.size, bytes }),

    clear() {
      for (const entry of [...lru.values()]) remove(entry);
    },
  };
}
