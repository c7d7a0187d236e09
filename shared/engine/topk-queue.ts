/**
 * Bounded top-k queue: a binary min-heap whose root is the current k-th best hit. It owns all
 * threshold logic, including the tie rule (equal scores: smaller doc id ranks first), so pruning
 * algorithms ask it `canBeat(bound, smallestDoc)` instead of comparing scores themselves.
 * "Worse" means lower score, or equal score and larger doc id.
 */
import type { TopKResult } from './types.ts';

export class TopKQueue {
  readonly capacity: number;
  private scores: Float64Array;
  private docs: Uint32Array;
  private count = 0;

  constructor(k: number) {
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be a non-negative integer, got ${k}`);
    this.capacity = k;
    // Grown on demand: k may be far larger than the number of hits (k > matches).
    const initial = Math.min(k, 1024);
    this.scores = new Float64Array(initial);
    this.docs = new Uint32Array(initial);
  }

  get size(): number {
    return this.count;
  }

  get isFull(): boolean {
    return this.count === this.capacity;
  }

  /** Score of the k-th best hit; -Infinity until the queue is full. */
  get thresholdScore(): number {
    return this.count === this.capacity && this.capacity > 0 ? this.scores[0] : -Infinity;
  }

  /** Doc id of the k-th best hit (meaningful only when full). */
  get thresholdDoc(): number {
    return this.docs[0];
  }

  /**
   * Could a hit with score <= `bound` and doc id >= `smallestDoc` still enter?
   * True while the queue is not full.
   */
  canBeat(bound: number, smallestDoc: number): boolean {
    if (this.count < this.capacity) return true;
    if (this.capacity === 0) return false;
    const worst = this.scores[0];
    return bound > worst || (bound === worst && smallestDoc < this.docs[0]);
  }

  /** Offers a hit; returns whether it entered. */
  offer(doc: number, score: number): boolean {
    if (this.count < this.capacity) {
      this.grow();
      this.siftUp(this.count++, doc, score);
      return true;
    }
    if (this.capacity === 0) return false;
    const worst = this.scores[0];
    if (score < worst || (score === worst && doc > this.docs[0])) return false;
    this.siftDown(doc, score);
    return true;
  }

  /** Hits sorted by score descending, then doc ascending. Leaves the queue unchanged. */
  toResult(): TopKResult {
    const n = this.count;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const { scores, docs } = this;
    order.sort((a, b) => scores[b] - scores[a] || docs[a] - docs[b]);
    const outDocs = new Uint32Array(n);
    const outScores = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      outDocs[i] = docs[order[i]];
      outScores[i] = scores[order[i]];
    }
    return { docs: outDocs, scores: outScores };
  }

  private grow(): void {
    if (this.count < this.scores.length) return;
    const size = Math.min(this.capacity, this.scores.length * 2);
    const scores = new Float64Array(size);
    const docs = new Uint32Array(size);
    scores.set(this.scores);
    docs.set(this.docs);
    this.scores = scores;
    this.docs = docs;
  }

  /** a is worse than b. */
  private static worse(sa: number, da: number, sb: number, db: number): boolean {
    return sa < sb || (sa === sb && da > db);
  }

  private siftUp(at: number, doc: number, score: number): void {
    const { scores, docs } = this;
    let i = at;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!TopKQueue.worse(score, doc, scores[parent], docs[parent])) break;
      scores[i] = scores[parent];
      docs[i] = docs[parent];
      i = parent;
    }
    scores[i] = score;
    docs[i] = doc;
  }

  /** Replaces the root with (doc, score) and restores the heap. */
  private siftDown(doc: number, score: number): void {
    const { scores, docs } = this;
    const n = this.count;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && TopKQueue.worse(scores[child + 1], docs[child + 1], scores[child], docs[child]))
        child++;
      if (!TopKQueue.worse(scores[child], docs[child], score, doc)) break;
      scores[i] = scores[child];
      docs[i] = docs[child];
      i = child;
    }
    scores[i] = score;
    docs[i] = doc;
  }
}
