/**
 * Byte ranges of immutable objects kept in the isolate: the postings a query fetched stay here, so a
 * warm query re-reads nothing already cached. Lookups are by containment (a cached coalesced read also
 * answers any sub-range of it), which is what lets the shard reader's own reads be served from ranges
 * the search service prefetched through the per-request metered store. Keys are immutable version
 * files, so entries never go stale; the bound is bytes (ByteLru).
 *
 * Every query asks for dozens of ranges and an object holds thousands of cached ones, so a lookup must
 * not scan them all: each object's ranges are indexed by the fixed-size buckets of the object they
 * overlap (ObjectRanges), and a lookup looks only at the ranges that overlap its first byte's bucket.
 */
import { ByteLru } from './byte-lru.ts';

interface CachedRange {
  readonly id: string;
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/** 4 KiB: a posting blob is usually smaller, so a bucket holds few ranges and a range spans few buckets. */
const BUCKET_BYTES = 4096;

const bucketOf = (offset: number) => Math.floor(offset / BUCKET_BYTES);
const endOf = (range: CachedRange) => range.offset + range.bytes.length;

/** The cached ranges of one object, indexed by the buckets they overlap. */
class ObjectRanges {
  readonly #buckets = new Map<number, CachedRange[]>();
  readonly byId = new Map<string, CachedRange>();

  add(range: CachedRange): void {
    this.byId.set(range.id, range);
    const last = bucketOf(Math.max(range.offset, endOf(range) - 1));
    for (let b = bucketOf(range.offset); b <= last; b++) {
      const list = this.#buckets.get(b);
      if (list) list.push(range);
      else this.#buckets.set(b, [range]);
    }
  }

  remove(id: string): void {
    const range = this.byId.get(id);
    if (!range) return;
    this.byId.delete(id);
    const last = bucketOf(Math.max(range.offset, endOf(range) - 1));
    for (let b = bucketOf(range.offset); b <= last; b++) {
      const list = this.#buckets.get(b);
      if (!list) continue;
      const at = list.indexOf(range);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0) this.#buckets.delete(b);
    }
  }

  /** Of the ranges holding byte `at`, the one reaching furthest (undefined when none does). */
  covering(at: number): CachedRange | undefined {
    let best: CachedRange | undefined;
    for (const range of this.#buckets.get(bucketOf(at)) ?? []) {
      if (range.offset <= at && endOf(range) > at && (!best || endOf(range) > endOf(best))) best = range;
    }
    return best;
  }
}

export class RangeCache {
  readonly #lru: ByteLru<CachedRange>;
  /** Object key → its cached ranges (for containment lookups). */
  readonly #byObject = new Map<string, ObjectRanges>();

  constructor(maxBytes: number) {
    this.#lru = new ByteLru<CachedRange>(maxBytes, (id) => this.#unindex(id));
  }

  get bytes(): number {
    return this.#lru.bytes;
  }

  /** The bytes [offset, offset + length) of `key` when cached ranges hold them. */
  find(key: string, offset: number, length: number): Uint8Array | undefined {
    const ranges = this.#byObject.get(key);
    if (!ranges) return undefined;
    const first = ranges.covering(offset);
    if (!first) return undefined;
    this.#lru.get(first.id); // touch
    if (endOf(first) >= offset + length) {
      return first.bytes.subarray(offset - first.offset, offset - first.offset + length);
    }
    return this.#assemble(ranges, first, offset, length);
  }

  /** A read that straddles cached ranges (blobs adjacent on disk, fetched by different queries): copy the pieces. */
  #assemble(
    ranges: ObjectRanges,
    first: CachedRange,
    offset: number,
    length: number,
  ): Uint8Array | undefined {
    const end = offset + length;
    const out = new Uint8Array(length);
    let piece: CachedRange | undefined = first;
    let at = offset;
    while (piece) {
      const pieceEnd = Math.min(end, endOf(piece));
      out.set(piece.bytes.subarray(at - piece.offset, pieceEnd - piece.offset), at - offset);
      at = pieceEnd;
      if (at === end) return out;
      piece = ranges.covering(at);
      if (piece) this.#lru.get(piece.id);
    }
    return undefined;
  }

  put(key: string, offset: number, bytes: Uint8Array): void {
    const id = `${key}\u0000${offset}+${bytes.length}`;
    this.#unindex(id); // a replaced range is indexed once
    const range = { id, offset, bytes };
    this.#lru.set(id, range, bytes.length);
    if (!this.#lru.has(id)) return; // larger than the whole cache
    let ranges = this.#byObject.get(key);
    if (!ranges) this.#byObject.set(key, (ranges = new ObjectRanges()));
    ranges.add(range);
  }

  /** Drops the one cached range that starts at `offset` with `length` bytes. */
  forgetRange(key: string, offset: number, length: number): void {
    const id = `${key}\u0000${offset}+${length}`;
    this.#lru.delete(id);
    this.#unindex(id);
  }

  /** Drops every range of `key` (a shard found corrupt must be read again, not served from memory). */
  forget(key: string): void {
    const ranges = this.#byObject.get(key);
    if (!ranges) return;
    for (const id of ranges.byId.keys()) this.#lru.delete(id);
    this.#byObject.delete(key);
  }

  #unindex(id: string): void {
    const key = id.slice(0, id.indexOf('\u0000'));
    const ranges = this.#byObject.get(key);
    if (!ranges) return;
    ranges.remove(id);
    if (ranges.byId.size === 0) this.#byObject.delete(key);
  }
}
