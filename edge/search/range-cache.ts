/**
 * Byte ranges of immutable objects kept in the isolate: the postings a query fetched stay here, so a
 * warm query re-reads nothing already cached. Lookups are by containment (a cached coalesced read also
 * answers any sub-range of it), which is what lets the shard reader's own reads be served from ranges
 * the search service prefetched through the per-request metered store. Keys are immutable version
 * files, so entries never go stale; the bound is bytes (ByteLru).
 */
import { ByteLru } from './byte-lru.ts';

interface CachedRange {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

export class RangeCache {
  readonly #lru: ByteLru<CachedRange>;
  /** Object key → ids of its cached ranges (for containment lookups). */
  readonly #byObject = new Map<string, Map<string, CachedRange>>();

  constructor(maxBytes: number) {
    this.#lru = new ByteLru<CachedRange>(maxBytes, (id) => this.#unindex(id));
  }

  get bytes(): number {
    return this.#lru.bytes;
  }

  /** The bytes [offset, offset + length) of `key` when a cached range contains them. */
  find(key: string, offset: number, length: number): Uint8Array | undefined {
    const ranges = this.#byObject.get(key);
    if (!ranges) return undefined;
    for (const [id, range] of ranges) {
      const start = offset - range.offset;
      if (start >= 0 && start + length <= range.bytes.length) {
        this.#lru.get(id); // touch
        return range.bytes.subarray(start, start + length);
      }
    }
    return this.#assemble(ranges, offset, length);
  }

  /** A read that straddles cached ranges (blobs adjacent on disk, fetched by different queries): copy the pieces. */
  #assemble(ranges: Map<string, CachedRange>, offset: number, length: number): Uint8Array | undefined {
    const end = offset + length;
    const pieces = [...ranges.values()]
      .filter((r) => r.offset < end && r.offset + r.bytes.length > offset)
      .sort((a, b) => a.offset - b.offset);
    const out = new Uint8Array(length);
    let at = offset;
    for (const r of pieces) {
      if (r.offset > at) return undefined;
      const rEnd = Math.min(end, r.offset + r.bytes.length);
      if (rEnd <= at) continue;
      out.set(r.bytes.subarray(at - r.offset, rEnd - r.offset), at - offset);
      at = rEnd;
      if (at === end) return out;
    }
    return undefined;
  }

  put(key: string, offset: number, bytes: Uint8Array): void {
    const id = `${key}\u0000${offset}+${bytes.length}`;
    const range = { offset, bytes };
    this.#lru.set(id, range, bytes.length);
    if (!this.#lru.has(id)) return; // larger than the whole cache
    let ranges = this.#byObject.get(key);
    if (!ranges) this.#byObject.set(key, (ranges = new Map()));
    ranges.set(id, range);
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
    for (const id of ranges.keys()) this.#lru.delete(id);
    this.#byObject.delete(key);
  }

  #unindex(id: string): void {
    const key = id.slice(0, id.indexOf('\u0000'));
    const ranges = this.#byObject.get(key);
    ranges?.delete(id);
    if (ranges?.size === 0) this.#byObject.delete(key);
  }
}
