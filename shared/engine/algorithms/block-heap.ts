/**
 * Max-heap of (upper bound, block id) pairs for best-first block visiting: BMP pops the block
 * with the largest score upper bound next. Parallel typed arrays, no per-entry objects; ties in
 * the bound pop in any order (the caller's stopping rule does not depend on it).
 */
export class BlockHeap {
  private bounds: Float64Array;
  private ids: Int32Array;
  private count = 0;

  constructor(capacity: number) {
    this.bounds = new Float64Array(Math.max(16, capacity));
    this.ids = new Int32Array(Math.max(16, capacity));
  }

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.count = 0;
  }

  topBound(): number {
    return this.bounds[0];
  }

  topId(): number {
    return this.ids[0];
  }

  push(bound: number, id: number): void {
    if (this.count === this.bounds.length) {
      const b = new Float64Array(this.count * 2);
      const i = new Int32Array(this.count * 2);
      b.set(this.bounds);
      i.set(this.ids);
      this.bounds = b;
      this.ids = i;
    }
    const { bounds, ids } = this;
    let at = this.count++;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (bounds[parent] >= bound) break;
      bounds[at] = bounds[parent];
      ids[at] = ids[parent];
      at = parent;
    }
    bounds[at] = bound;
    ids[at] = id;
  }

  /** Removes the top entry. */
  pop(): void {
    const n = --this.count;
    if (n === 0) return;
    const { bounds, ids } = this;
    const bound = bounds[n];
    const id = ids[n];
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= n) break;
      if (child + 1 < n && bounds[child + 1] > bounds[child]) child++;
      if (bounds[child] <= bound) break;
      bounds[at] = bounds[child];
      ids[at] = ids[child];
      at = child;
    }
    bounds[at] = bound;
    ids[at] = id;
  }
}
