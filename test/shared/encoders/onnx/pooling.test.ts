import { describe, expect, it } from 'vitest';
import {
  maxMergeSparse,
  sparseFromTopK,
  spladePoolDense,
  topKDense,
} from '../../../../shared/encoders/onnx/pooling.ts';

describe('SPLADE pooling reference', () => {
  it('is max over pooled positions of log(1 + relu(logit))', () => {
    // batch 2, seq 3, vocab 4; pool positions 1..2 of row 1
    const logits = Float32Array.from([
      9,
      9,
      9,
      9,
      9,
      9,
      9,
      9,
      9,
      9,
      9,
      9, // row 0: ignored
      100,
      100,
      100,
      100, // row 1, position 0: outside the pool range
      -1,
      2,
      0.5,
      3,
      -2,
      1,
      4,
      -0.1,
    ]);
    const dense = spladePoolDense(logits, [2, 3, 4], 1, 1, 3);
    expect([...dense].map((x) => +x.toFixed(6))).toEqual(
      [0, Math.log1p(2), Math.log1p(4), Math.log1p(3)].map((x) => +x.toFixed(6)),
    );
  });

  it('topKDense keeps the k largest positive weights, terms ascending', () => {
    const v = topKDense(Float32Array.from([0, 0.5, 3, 0, 2, 1]), 2);
    expect([...v.terms]).toEqual([2, 4]);
    expect([...v.weights]).toEqual([3, 2]);
  });

  it('sparseFromTopK drops zero weights and sorts by term', () => {
    const v = sparseFromTopK(BigInt64Array.from([7n, 3n, 9n, 1n]), Float32Array.from([5, 4, 0, 0]), 10);
    expect([...v.terms]).toEqual([3, 7]);
    expect([...v.weights]).toEqual([4, 5]);
  });

  it('maxMergeSparse takes each term’s maximum over windows, then the best k', () => {
    const a = { terms: Uint32Array.from([1, 5]), weights: Float32Array.from([1, 4]) };
    const b = { terms: Uint32Array.from([1, 2, 9]), weights: Float32Array.from([3, 0.5, 2]) };
    const merged = maxMergeSparse([a, b], 3);
    expect([...merged.terms]).toEqual([1, 5, 9]);
    expect([...merged.weights]).toEqual([3, 4, 2]);
  });
});
