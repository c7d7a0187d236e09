/**
 * Open shards of the served versions, kept in the isolate. Opening a shard is one range read of its hot
 * region plus footer (offsets from the manifest), answered from the Cache API when one is given; the
 * decoded reader is kept in an LRU bounded by hot-region bytes. Postings are prefetched with the read
 * plan of read-plan.ts through the request's metered store into the isolate's RangeCache, and the
 * reader's own reads are then served from that cache: every byte a request costs goes through its meter,
 * and a warm query finds everything in memory.
 */

import type { ShardEntry } from '../../shared/index/manifest.ts';
import type { ByteSource } from '../../shared/io/byte-source.ts';
import type { PostingList } from '../../shared/postings/posting-list.ts';
import { FOOTER_BYTES } from '../../shared/shard/format.ts';
import { openShard, type ShardReader } from '../../shared/shard/reader.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { ByteLru } from './byte-lru.ts';
import { meteredStore, type RequestCost } from './metered-store.ts';
import { RangeCache } from './range-cache.ts';
import type { BlobRange } from './read-plan.ts';

/** A second-level cache for hot regions that outlives the isolate (the Workers Cache API). */
export interface HotRegionCache {
  match(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
}

export interface ShardPoolOptions {
  /** Bytes of hot regions (decoded readers) kept in the isolate. */
  readonly maxHotBytes: number;
  /** Bytes of postings ranges kept in the isolate. */
  readonly maxPostingsBytes: number;
  readonly hotRegionCache?: HotRegionCache;
}

export class ShardPool {
  readonly #readers: ByteLru<Promise<ShardReader>>;
  readonly #ranges: RangeCache;
  /** Decoded posting lists (views into #ranges' bytes) by shard key and term. */
  readonly #lists: ByteLru<PostingList>;
  readonly #fallback: { store: ObjectStore; cost: RequestCost };

  /**
   * `store` is the unmetered store: the reader falls back to it only if a prefetched range was evicted
   * between the prefetch and the reader's read (a query larger than the whole postings cache).
   */
  constructor(
    private readonly store: ObjectStore,
    private readonly options: ShardPoolOptions,
  ) {
    this.#fallback = meteredStore(store);
    this.#readers = new ByteLru(options.maxHotBytes);
    this.#ranges = new RangeCache(options.maxPostingsBytes);
    // The lists share their bytes with #ranges, so this bound costs memory only for lists whose range
    // was evicted meanwhile: at worst twice maxPostingsBytes in all.
    this.#lists = new ByteLru(options.maxPostingsBytes);
  }

  /** The open reader of a shard; `store`/`cost` are the request's. */
  open(entry: ShardEntry, store: ObjectStore, cost: RequestCost): Promise<ShardReader> {
    const cached = this.#readers.get(entry.key);
    if (cached) return cached;
    const opening = this.#open(entry, store, cost);
    this.#readers.set(entry.key, opening, entry.hotRegion.length + FOOTER_BYTES);
    // Forget a failed open, unless a retry has already put a newer attempt in its place.
    opening.catch(() => {
      if (this.#readers.get(entry.key) === opening) this.#readers.delete(entry.key);
    });
    return opening;
  }

  /** Whether a shard's reader is in the isolate (opening it costs no read). */
  isOpen(key: string): boolean {
    return this.#readers.has(key);
  }

  /** The blobs of `terms` (present in the shard) whose bytes are not in the isolate yet. */
  missingBlobs(entry: ShardEntry, reader: ShardReader, terms: readonly number[]): BlobRange[] {
    const blobs: BlobRange[] = [];
    for (const term of terms) {
      if (this.#lists.has(listId(entry.key, term))) continue;
      const info = reader.termInfo(term);
      if (info && !this.#ranges.find(entry.key, info.offset, info.length)) blobs.push(info);
    }
    return blobs;
  }

  /**
   * Makes planned reads through the request's store, keeps their bytes in the isolate, then decodes the
   * postings of `terms` (the reader's own reads are served from those bytes).
   */
  async postings(
    entry: ShardEntry,
    reader: ShardReader,
    terms: readonly number[],
    reads: readonly BlobRange[],
    store: ObjectStore,
  ): Promise<Map<number, PostingList>> {
    const fetched = await Promise.all(reads.map((r) => store.getRange(entry.key, r.offset, r.length)));
    reads.forEach((r, i) => {
      this.#ranges.put(entry.key, r.offset, fetched[i]);
    });
    // Lists decoded (and CRC-checked) by an earlier query are reused as they are: a warm query
    // neither reads nor re-checks its postings.
    const out = new Map<number, PostingList>();
    const toLoad: number[] = [];
    for (const term of terms) {
      const list = this.#lists.get(listId(entry.key, term));
      if (list) out.set(term, list);
      else toLoad.push(term);
    }
    if (toLoad.length > 0) {
      for (const [term, list] of await reader.loadPostings(toLoad)) {
        out.set(term, list);
        this.#lists.set(listId(entry.key, term), list, list.byteLength);
      }
    }
    return out;
  }

  /** Drops everything cached for a shard found corrupt, so the next request reads it again. */
  forget(key: string): void {
    this.#readers.delete(key);
    this.#ranges.forget(key);
    const prefix = listId(key, 0).slice(0, -1);
    for (const id of [...this.#lists.keys()]) if (id.startsWith(prefix)) this.#lists.delete(id);
  }

  /**
   * Reads the readers made outside any prefetch (stored-field records and their offsets table, or a
   * range evicted before use), counted isolate-wide: a request adds the growth during its own calls.
   */
  get fallbackCost(): RequestCost {
    return this.#fallback.cost;
  }

  get cachedBytes(): { hot: number; postings: number } {
    return { hot: this.#readers.bytes, postings: this.#ranges.bytes };
  }

  async #open(entry: ShardEntry, store: ObjectStore, cost: RequestCost): Promise<ShardReader> {
    const { offset, length } = entry.hotRegion;
    const cacheKey = `${entry.key}#hot=${offset}+${length}`;
    let hot = await this.options.hotRegionCache?.match(cacheKey).catch(() => undefined);
    if (hot && hot.length === length + FOOTER_BYTES) {
      cost.cacheHits++;
    } else {
      hot = await store.getRange(entry.key, offset, length + FOOTER_BYTES);
      // The Cache API is best effort: a failed put costs a cold read later, never an answer.
      await this.options.hotRegionCache?.put(cacheKey, hot).catch(() => undefined);
    }
    this.#ranges.put(entry.key, offset, hot);
    const reader = await openShard(
      this.#source(entry),
      { hotOffset: offset, hotLength: length },
      { coalesceGap: 0 },
    );
    // The reader keeps views into `hot`; drop the range copy so hot bytes are counted once (in #readers).
    this.#ranges.forgetRange(entry.key, offset, hot.length);
    return reader;
  }

  /** What the reader reads through: the isolate's ranges first, the unmetered store as a last resort. */
  #source(entry: ShardEntry): ByteSource {
    return {
      name: entry.key,
      size: entry.size,
      read: async (offset, length) =>
        this.#ranges.find(entry.key, offset, length) ??
        (await this.#fallback.store.getRange(entry.key, offset, length)),
    };
  }
}

function listId(key: string, term: number): string {
  return `${key}\u0000${term}`;
}
