/**
 * A set of 64-bit hashes in two flat Uint32Arrays (open addressing, linear probing), for duplicate-id
 * detection over corpora of any size: 16 bytes per slot at ≤ 50% load, so 10M ids cost ~320 MB instead of
 * the gigabytes a Set<string> of the ids would. Two different ids collide with probability ~n²/2^65
 * (about 3·10⁻⁶ for 10M ids); a collision rejects the later document as a duplicate, which the rejects
 * file then shows.
 */

const EMPTY_HI = 0;
const EMPTY_LO = 0;

export class IdHashSet {
  #hi: Uint32Array;
  #lo: Uint32Array;
  #mask: number;
  #size = 0;
  /** (0, 0) marks an empty slot, so a real hash (0, 0) is remembered separately. */
  #hasZero = false;

  constructor(initialCapacity = 1024) {
    let slots = 16;
    while (slots < initialCapacity * 2) slots *= 2;
    this.#hi = new Uint32Array(slots);
    this.#lo = new Uint32Array(slots);
    this.#mask = slots - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** Adds the hash (hi, lo); returns false when it was already present. */
  add(hi: number, lo: number): boolean {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === EMPTY_HI && lo === EMPTY_LO) {
      if (this.#hasZero) return false;
      this.#hasZero = true;
      this.#size++;
      return true;
    }
    if ((this.#size + 1) * 2 > this.#hi.length) this.#grow();
    const inserted = this.#insert(hi, lo);
    if (inserted) this.#size++;
    return inserted;
  }

  has(hi: number, lo: number): boolean {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === EMPTY_HI && lo === EMPTY_LO) return this.#hasZero;
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.#mask;
    for (;;) {
      const h = this.#hi[slot];
      const l = this.#lo[slot];
      if (h === EMPTY_HI && l === EMPTY_LO) return false;
      if (h === hi && l === lo) return true;
      slot = (slot + 1) & this.#mask;
    }
  }

  #insert(hi: number, lo: number): boolean {
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.#mask;
    for (;;) {
      const h = this.#hi[slot];
      const l = this.#lo[slot];
      if (h === EMPTY_HI && l === EMPTY_LO) {
        this.#hi[slot] = hi;
        this.#lo[slot] = lo;
        return true;
      }
      if (h === hi && l === lo) return false;
      slot = (slot + 1) & this.#mask;
    }
  }

  #grow(): void {
    const oldHi = this.#hi;
    const oldLo = this.#lo;
    this.#hi = new Uint32Array(oldHi.length * 2);
    this.#lo = new Uint32Array(oldLo.length * 2);
    this.#mask = this.#hi.length - 1;
    for (let i = 0; i < oldHi.length; i++) {
      if (oldHi[i] !== EMPTY_HI || oldLo[i] !== EMPTY_LO) this.#insert(oldHi[i], oldLo[i]);
    }
  }
}
