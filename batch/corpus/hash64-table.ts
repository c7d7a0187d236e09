/**
 * 64-bit hashes (hi, lo) as keys of flat typed arrays (open addressing, linear probing, at most half
 * full), for key sets far too large for a Set<string> or a Map<string, …>: building a hex string per key
 * costs more memory than the key and more time than the lookup. Two users:
 * - `Hash64Map` (hash → non-negative 32-bit integer): the encoding cache's index of content hash → cache
 *   location; 12 bytes per slot.
 * - `IdHashSet`: duplicate-id detection over corpora of any size; 8 bytes per slot, so 10M ids cost
 *   ~320 MB instead of the gigabytes a Set<string> of the ids would. Two different ids collide with
 *   probability ~n²/2^65 (about 3·10⁻⁶ for 10M ids); a collision rejects the later document as a
 *   duplicate, which the rejects file then shows.
 * Both are one table: the key (0, 0) marks an empty slot, so a real key (0, 0) is kept beside the arrays;
 * the set is the table without its value array.
 */

class Hash64Table {
  #hi: Uint32Array;
  #lo: Uint32Array;
  /** Null for a set: it stores keys only. */
  #values: Uint32Array | null;
  #mask: number;
  #size = 0;
  /** The value of the key (0, 0), which cannot sit in a slot; -1 while absent. */
  #zeroValue = -1;

  constructor(initialCapacity: number, withValues: boolean) {
    let slots = 16;
    while (slots < initialCapacity * 2) slots *= 2;
    this.#hi = new Uint32Array(slots);
    this.#lo = new Uint32Array(slots);
    this.#values = withValues ? new Uint32Array(slots) : null;
    this.#mask = slots - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** The value of (hi, lo) (0 for a set's member), or -1 when absent. */
  get(hi: number, lo: number): number {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === 0 && lo === 0) return this.#zeroValue;
    let slot = this.#slotOf(hi, lo);
    for (;;) {
      const h = this.#hi[slot];
      const l = this.#lo[slot];
      if (h === hi && l === lo) return this.#values ? this.#values[slot] : 0;
      if (h === 0 && l === 0) return -1;
      slot = (slot + 1) & this.#mask;
    }
  }

  /** Sets (hi, lo) → value (0 ≤ value < 2^32) unless the key is present; returns whether it was added. */
  setIfAbsent(hi: number, lo: number, value: number): boolean {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === 0 && lo === 0) {
      if (this.#zeroValue >= 0) return false;
      this.#zeroValue = value >>> 0;
      this.#size++;
      return true;
    }
    if ((this.#size + 1) * 2 > this.#hi.length) this.#grow();
    const added = this.#insert(hi, lo, value);
    if (added) this.#size++;
    return added;
  }

  #slotOf(hi: number, lo: number): number {
    return (lo ^ Math.imul(hi, 0x9e3779b1)) & this.#mask;
  }

  #insert(hi: number, lo: number, value: number): boolean {
    let slot = this.#slotOf(hi, lo);
    for (;;) {
      const h = this.#hi[slot];
      const l = this.#lo[slot];
      if (h === 0 && l === 0) {
        this.#hi[slot] = hi;
        this.#lo[slot] = lo;
        if (this.#values) this.#values[slot] = value;
        return true;
      }
      if (h === hi && l === lo) return false;
      slot = (slot + 1) & this.#mask;
    }
  }

  #grow(): void {
    const [hi, lo, values] = [this.#hi, this.#lo, this.#values];
    this.#hi = new Uint32Array(hi.length * 2);
    this.#lo = new Uint32Array(lo.length * 2);
    this.#values = values && new Uint32Array(values.length * 2);
    this.#mask = this.#hi.length - 1;
    for (let i = 0; i < hi.length; i++) {
      if (hi[i] !== 0 || lo[i] !== 0) this.#insert(hi[i], lo[i], values ? values[i] : 0);
    }
  }
}

/** A map from 64-bit hashes to non-negative 32-bit integers. */
export class Hash64Map {
  readonly #table: Hash64Table;

  constructor(initialCapacity = 1024) {
    this.#table = new Hash64Table(initialCapacity, true);
  }

  get size(): number {
    return this.#table.size;
  }

  /** The value of (hi, lo), or -1 when absent. */
  get(hi: number, lo: number): number {
    return this.#table.get(hi, lo);
  }

  has(hi: number, lo: number): boolean {
    return this.#table.get(hi, lo) >= 0;
  }

  /** Sets (hi, lo) → value (0 ≤ value < 2^32) unless the key is present; returns whether it was added. */
  setIfAbsent(hi: number, lo: number, value: number): boolean {
    return this.#table.setIfAbsent(hi, lo, value);
  }
}

/** A set of 64-bit hashes (the ids seen so far). */
export class IdHashSet {
  readonly #table: Hash64Table;

  constructor(initialCapacity = 1024) {
    this.#table = new Hash64Table(initialCapacity, false);
  }

  get size(): number {
    return this.#table.size;
  }

  /** Adds the hash (hi, lo); returns false when it was already present. */
  add(hi: number, lo: number): boolean {
    return this.#table.setIfAbsent(hi, lo, 0);
  }

  has(hi: number, lo: number): boolean {
    return this.#table.get(hi, lo) >= 0;
  }
}
