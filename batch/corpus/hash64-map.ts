/**
 * A map from 64-bit hashes (hi, lo) to non-negative 32-bit integers, in flat typed arrays (open
 * addressing, linear probing): the encoding cache's index of content hash → cache location without a
 * string key per entry (building hex strings for millions of lookups cost more than the lookups).
 */

export class Hash64Map {
  #hi: Uint32Array;
  #lo: Uint32Array;
  /** value + 1 per slot; 0 marks an empty slot, so any (hi, lo) pair can be a key. */
  #values: Uint32Array;
  #mask: number;
  #size = 0;

  constructor(initialCapacity = 1024) {
    let slots = 16;
    while (slots < initialCapacity * 2) slots *= 2;
    this.#hi = new Uint32Array(slots);
    this.#lo = new Uint32Array(slots);
    this.#values = new Uint32Array(slots);
    this.#mask = slots - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** The value of (hi, lo), or -1 when absent. */
  get(hi: number, lo: number): number {
    hi >>>= 0;
    lo >>>= 0;
    let slot = this.#slotOf(hi, lo);
    for (;;) {
      const v = this.#values[slot];
      if (v === 0) return -1;
      if (this.#hi[slot] === hi && this.#lo[slot] === lo) return v - 1;
      slot = (slot + 1) & this.#mask;
    }
  }

  has(hi: number, lo: number): boolean {
    return this.get(hi, lo) >= 0;
  }

  /** Sets (hi, lo) → value (0 ≤ value < 2^32 − 1) unless the key is present; returns whether it was added. */
  setIfAbsent(hi: number, lo: number, value: number): boolean {
    if ((this.#size + 1) * 2 > this.#values.length) this.#grow();
    const added = this.#insert(hi >>> 0, lo >>> 0, value + 1);
    if (added) this.#size++;
    return added;
  }

  #slotOf(hi: number, lo: number): number {
    return (lo ^ Math.imul(hi, 0x9e3779b1)) & this.#mask;
  }

  #insert(hi: number, lo: number, stored: number): boolean {
    let slot = this.#slotOf(hi, lo);
    for (;;) {
      if (this.#values[slot] === 0) {
        this.#hi[slot] = hi;
        this.#lo[slot] = lo;
        this.#values[slot] = stored;
        return true;
      }
      if (this.#hi[slot] === hi && this.#lo[slot] === lo) return false;
      slot = (slot + 1) & this.#mask;
    }
  }

  #grow(): void {
    const [hi, lo, values] = [this.#hi, this.#lo, this.#values];
    this.#hi = new Uint32Array(hi.length * 2);
    this.#lo = new Uint32Array(lo.length * 2);
    this.#values = new Uint32Array(values.length * 2);
    this.#mask = this.#values.length - 1;
    for (let i = 0; i < values.length; i++) if (values[i] !== 0) this.#insert(hi[i], lo[i], values[i]);
  }
}
