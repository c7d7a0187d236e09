/**
 * A growable Uint32Array for token ids. Tokenizers append ids one at a time; doubling the
 * backing array keeps that amortised O(1) without the boxing cost of a JS number[].
 */
export class IdBuffer {
  private ids: Uint32Array;
  length = 0;

  constructor(initialCapacity = 64) {
    this.ids = new Uint32Array(Math.max(1, initialCapacity));
  }

  push(id: number): void {
    if (this.length === this.ids.length) this.grow(this.length + 1);
    this.ids[this.length++] = id;
  }

  pushAll(ids: ArrayLike<number>): void {
    if (this.length + ids.length > this.ids.length) this.grow(this.length + ids.length);
    for (let i = 0; i < ids.length; i++) this.ids[this.length++] = ids[i];
  }

  /** A copy holding exactly the ids pushed so far. */
  toUint32Array(): Uint32Array {
    return this.ids.slice(0, this.length);
  }

  private grow(minCapacity: number): void {
    let capacity = this.ids.length * 2;
    while (capacity < minCapacity) capacity *= 2;
    const bigger = new Uint32Array(capacity);
    bigger.set(this.ids.subarray(0, this.length));
    this.ids = bigger;
  }
}
