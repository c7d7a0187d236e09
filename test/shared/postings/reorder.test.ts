import { describe, expect, it } from 'vitest';
import { clusterOrder } from '../../../shared/postings/reorder.ts';
import type { QuantizedVector } from '../../../shared/sparse/types.ts';

/** Two interleaved "topics" with disjoint discriminative terms. */
function interleavedTopics(n: number): QuantizedVector[] {
  return Array.from({ length: n }, (_, d) => {
    const base = d % 2 === 0 ? 100 : 200;
    const terms = Uint32Array.of(base + (d % 5), base + ((d + 1) % 5), base + 10 + (d % 3));
    return { terms, impacts: Uint16Array.of(50, 40, 30) };
  });
}

describe('clusterOrder', () => {
  it('returns a permutation of the doc ids', () => {
    const order = clusterOrder(interleavedTopics(300), 300, { clusterSize: 50 });
    expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('groups documents that share discriminative terms', () => {
    const docs = interleavedTopics(400);
    const order = clusterOrder(docs, 300, { clusterSize: 200, maxDfFraction: 0.5 });
    // In arrival order the topic flips at every doc; clustered, it flips a few times at most.
    let flips = 0;
    for (let i = 1; i < order.length; i++) if (order[i] % 2 !== order[i - 1] % 2) flips++;
    expect(flips).toBeLessThan(10);
  });

  it('is deterministic for a seed', () => {
    const docs = interleavedTopics(200);
    expect(Array.from(clusterOrder(docs, 300, { seed: 7 }))).toEqual(
      Array.from(clusterOrder(docs, 300, { seed: 7 })),
    );
  });
});
