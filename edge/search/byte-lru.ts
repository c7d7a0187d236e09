/**
 * An LRU map bounded by the bytes of its values rather than by their count. The edge keeps hot regions,
 * opened shard readers and postings ranges in one isolate for as long as memory allows (a Worker isolate
 * has 128 MB), so the bound that matters is bytes. A Map keeps insertion order, so re-inserting on `get`
 * makes its first key the least recently used one.
 */
export class ByteLru<V> {
  readonly #entries = new Map<string, { value: V; bytes: number }>();
  #bytes = 0;

  /** `onEvict` hears about entries dropped to make room (not about explicit deletes or replacements). */
  constructor(
    readonly maxBytes: number,
    private readonly onEvict?: (key: string, value: V) => void,
  ) {
    if (!(maxBytes >= 0)) throw new RangeError(`ByteLru: maxBytes must be >= 0, got ${maxBytes}`);
  }

  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** Inserts (or replaces) and evicts the least recently used entries until within maxBytes. A value larger than maxBytes is not kept. */
  set(key: string, value: V, bytes: number): void {
    this.delete(key);
    if (bytes > this.maxBytes) return;
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.bytes;
      this.onEvict?.(oldest, entry.value);
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }

  keys(): IterableIterator<string> {
    return this.#entries.keys();
  }
}
