/**
 * Open shards of the served versions, for exact search. Opening a shard is one range read of its hot
 * region plus footer (offsets from the manifest); postings are read with the request's planned reads;
 * both go through the byte tiers (isolate memory → shared cache → metered store), so every byte a request
 * costs is counted and a warm query reads nothing. Decoded readers are kept in an LRU bounded by their
 * hot-region bytes, decoded posting lists in one bounded by their blob bytes.
 */
import type { ShardEntry } from '../../shared/index/manifest.ts';
import type { ByteSource } from '../../shared/io/byte-source.ts';
import type { PostingList } from '../../shared/postings/posting-list.ts';
import { FOOTER_BYTES } from '../../shared/shard/format.ts';
import { openShard, type ShardReader } from '../../shared/shard/reader.ts';
import type { StoredDocument } from '../../shared/shard/stored-fields.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { ByteLru } from './byte-lru.ts';
import type { ByteTiers, QueryIo } from './byte-tiers.ts';
import { meteredStore, type RequestCost } from './metered-store.ts';
import type { NeededRange } from './read-planner.ts';

export interface ShardPoolOptions {
  /** Bytes of hot regions (decoded readers) kept in the isolate. */
  readonly maxHotBytes: number;
  /** Bytes of decoded posting lists kept in the isolate. */
  readonly maxPostingsBytes: number;
}

export class ShardPool {
  readonly #readers: ByteLru<Promise<ShardReader>>;
  /** Decoded posting lists (views into blob copies) by shard key and term. */
  readonly #lists: ByteLru<PostingList>;
  readonly #fallback: { store: ObjectStore; cost: RequestCost };

  /**
   * `store` is the unmetered store: a reader falls back to it only if a range planned for it was evicted
   * from the isolate between the read and the decoding (a query larger than the whole cache).
   */
  constructor(
    store: ObjectStore,
    private readonly tiers: ByteTiers,
    options: ShardPoolOptions,
  ) {
    this.#fallback = meteredStore(store);
    this.#readers = new ByteLru(options.maxHotBytes);
    this.#lists = new ByteLru(options.maxPostingsBytes);
  }

  /** The open reader of a shard, reading its hot region through the request's io when not open yet. */
  open(entry: ShardEntry, io: QueryIo): Promise<ShardReader> {
    const cached = this.#readers.get(entry.key);
    if (cached) {
      io.cost.hit('memory');
      return cached;
    }
    const opening = this.#open(entry, io);
    this.#readers.set(entry.key, opening, entry.hotRegion.length + FOOTER_BYTES);
    // Forget a failed open, unless a retry has already put a newer attempt in its place.
    opening.catch(() => {
      if (this.#readers.get(entry.key) === opening) this.#readers.delete(entry.key);
    });
    return opening;
  }

  /**
   * The byte ranges of the blobs of `terms` whose lists are not decoded in the isolate (lists that are
   * count as memory hits of `io`).
   */
  missingBlobs(
    entry: ShardEntry,
    reader: ShardReader,
    terms: readonly number[],
    io?: QueryIo,
  ): NeededRange[] {
    const ranges: NeededRange[] = [];
    for (const term of terms) {
      if (this.#lists.has(listId(entry.key, term))) {
        io?.cost.hit('memory');
        continue;
      }
      const info = reader.termInfo(term);
      if (info && !this.tiers.memory.find(entry.key, info.offset, info.length)) {
        ranges.push({ key: entry.key, offset: info.offset, length: info.length });
      }
    }
    return ranges;
  }

  /** The decoded posting lists of `terms` (their bytes already read into the isolate by the caller). */
  async postings(
    entry: ShardEntry,
    reader: ShardReader,
    terms: readonly number[],
  ): Promise<Map<number, PostingList>> {
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

  /** Stored records of a shard's hits, read through the request's io (metered, cached). */
  storedFields(
    entry: ShardEntry,
    reader: ShardReader,
    localDocs: readonly number[],
    io: QueryIo,
  ): Promise<StoredDocument[]> {
    return reader.storedFieldsWith(localDocs, async (offset, length) => {
      const [bytes] = await this.tiers.read([{ key: entry.key, offset, length }], io);
      return bytes;
    });
  }

  /** Drops everything cached for a shard found corrupt, so the next request reads it again. */
  forget(key: string): void {
    this.#readers.delete(key);
    this.tiers.forget(key);
    const prefix = listId(key, 0).slice(0, -1);
    for (const id of [...this.#lists.keys()]) if (id.startsWith(prefix)) this.#lists.delete(id);
  }

  /** Reads made outside any plan (a range evicted before use), counted isolate-wide. */
  get fallbackCost(): RequestCost {
    return this.#fallback.cost;
  }

  get cachedBytes(): { hot: number; postings: number } {
    return { hot: this.#readers.bytes, postings: this.#lists.bytes + this.tiers.memory.bytes };
  }

  async #open(entry: ShardEntry, io: QueryIo): Promise<ShardReader> {
    const { offset, length } = entry.hotRegion;
    const [hot] = await this.tiers.read([{ key: entry.key, offset, length: length + FOOTER_BYTES }], io, {
      keep: false,
    });
    return openShard(
      this.#source(entry, offset, hot),
      { hotOffset: offset, hotLength: length },
      { coalesceGap: 0 },
    );
  }

  /** What the reader reads through: its hot bytes, the isolate's ranges, the unmetered store as a last resort. */
  #source(entry: ShardEntry, hotOffset: number, hot: Uint8Array): ByteSource {
    return {
      name: entry.key,
      size: entry.size,
      read: async (offset, length) => {
        if (offset >= hotOffset && offset + length <= hotOffset + hot.length) {
          return hot.subarray(offset - hotOffset, offset - hotOffset + length);
        }
        return (
          this.tiers.memory.find(entry.key, offset, length) ??
          (await this.#fallback.store.getRange(entry.key, offset, length))
        );
      },
    };
  }
}

function listId(key: string, term: number): string {
  return `${key}\u0000${term}`;
}
