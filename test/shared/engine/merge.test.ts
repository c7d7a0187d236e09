import { describe, expect, it } from 'vitest';
import { mergeTopK } from '../../../shared/engine/merge.ts';

describe('mergeTopK', () => {
  it('merges shard lists into the global top-k with the doc-id tie rule', () => {
    const a = { docs: Uint32Array.of(5, 1, 9), scores: Float64Array.of(10, 7, 7) };
    const b = { docs: Uint32Array.of(100, 3), scores: Float64Array.of(8, 7) };
    const merged = mergeTopK([a, b], 4);
    expect(Array.from(merged.docs)).toEqual([5, 100, 1, 3]);
    expect(Array.from(merged.scores)).toEqual([10, 8, 7, 7]);
    expect(mergeTopK([], 3).docs.length).toBe(0);
    expect(mergeTopK([a, b], 10).docs.length).toBe(5);
  });

  it('rejects lists whose arrays differ in length', () => {
    expect(() => mergeTopK([{ docs: Uint32Array.of(1), scores: new Float64Array(0) }], 1)).toThrow(
      /1 docs but 0 scores/,
    );
  });
});
