import { describe, expect, it } from 'vitest';
import { measureDrift } from '../../../batch/model/vector-drift.ts';

const v = (pairs: [number, number][]) => ({
  terms: Uint32Array.from(pairs.map(([t]) => t)),
  weights: Float32Array.from(pairs.map(([, w]) => w)),
});

describe('measureDrift', () => {
  it('is perfect for identical vectors', () => {
    const a = [
      v([
        [1, 2],
        [4, 1],
      ]),
      v([
        [1, 1],
        [9, 3],
      ]),
    ];
    expect(measureDrift(a, a)).toEqual({
      texts: 2,
      top10Overlap: 1,
      termOverlap: 1,
      relativeWeightError: 0,
      relativeScoreError: 0,
    });
  });

  it('measures lost terms, weight error and score error', () => {
    const reference = [
      v([
        [1, 3],
        [4, 4],
      ]),
      v([[1, 1]]),
    ];
    const candidate = [v([[1, 3]]), v([[1, 2]])];
    const drift = measureDrift(reference, candidate);
    expect(drift.termOverlap).toBeCloseTo((1 / 2 + 1) / 2);
    // text 0: ‖(0, 4)‖ / ‖(3, 4)‖ = 0.8; text 1: |1 − 2| / 1 = 1
    expect(drift.relativeWeightError).toBeCloseTo(0.9);
    // one pair: s_ref = 3·1 = 3, s_cand = 3·2 = 6
    expect(drift.relativeScoreError).toBeCloseTo(1);
  });
});
