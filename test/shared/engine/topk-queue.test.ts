import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TopKQueue } from '../../../shared/engine/topk-queue.ts';

/** Reference: sort all hits by score desc, doc asc, keep k. */
function reference(hits: [number, number][], k: number): [number, number][] {
  return [...hits].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, k);
}

describe('TopKQueue', () => {
  it('keeps the k best hits with the smaller doc winning ties, in any insertion order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 5000 }), { maxLength: 200 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 200, maxLength: 200 }),
        fc.integer({ min: 0, max: 50 }),
        (docs, scores, k) => {
          const hits = docs.map((d, i): [number, number] => [d, scores[i]]);
          const q = new TopKQueue(k);
          for (const [d, s] of hits) q.offer(d, s);
          const r = q.toResult();
          const actual = Array.from(r.docs, (d, i): [number, number] => [d, r.scores[i]]);
          expect(actual).toEqual(reference(hits, k));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('canBeat applies the tie rule against the k-th hit', () => {
    const q = new TopKQueue(2);
    expect(q.canBeat(0, 0)).toBe(true);
    q.offer(10, 5);
    q.offer(20, 7);
    expect(q.isFull).toBe(true);
    expect(q.thresholdScore).toBe(5);
    expect(q.thresholdDoc).toBe(10);
    expect(q.canBeat(6, 1000)).toBe(true);
    expect(q.canBeat(5, 9)).toBe(true);
    expect(q.canBeat(5, 10)).toBe(false);
    expect(q.canBeat(4, 0)).toBe(false);
    expect(q.offer(11, 5)).toBe(false);
    expect(q.offer(9, 5)).toBe(true);
    expect(Array.from(q.toResult().docs)).toEqual([20, 9]);
  });

  it('k = 0 accepts nothing and grows past its initial buffer for large k', () => {
    const none = new TopKQueue(0);
    expect(none.offer(1, 100)).toBe(false);
    expect(none.canBeat(1e9, 0)).toBe(false);
    const big = new TopKQueue(5000);
    for (let d = 0; d < 3000; d++) big.offer(d, d % 97);
    expect(big.size).toBe(3000);
    expect(big.toResult().scores[0]).toBe(96);
    expect(() => new TopKQueue(-1)).toThrow(RangeError);
  });
});
