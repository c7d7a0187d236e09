import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dequantizeScore,
  impactScale,
  maxImpactFor,
  maxWeightOf,
  QuantizationError,
  quantizeQuery,
  quantizeVector,
} from '../../../shared/sparse/quantize.ts';
import type { SparseVector } from '../../../shared/sparse/types.ts';

function vec(entries: [number, number][]): SparseVector {
  return {
    terms: Uint32Array.from(entries.map((e) => e[0])),
    weights: Float32Array.from(entries.map((e) => e[1])),
  };
}

const sparseVector = fc
  .uniqueArray(fc.tuple(fc.nat(5000), fc.float({ min: Math.fround(1e-6), max: 50, noNaN: true })), {
    selector: (e) => e[0],
    maxLength: 40,
  })
  .map((entries) => vec(entries.sort((a, b) => a[0] - b[0])));

describe('impactScale', () => {
  it('maps maxWeight to the largest impact', () => {
    expect(impactScale(3, 8)).toBeCloseTo(3 / 255, 15);
    expect(impactScale(1, 16)).toBeCloseTo(1 / 65535, 15);
    expect(maxImpactFor(1)).toBe(1);
  });

  it('rejects bits outside 1..16 and non-positive weights', () => {
    expect(() => impactScale(1, 0)).toThrow(QuantizationError);
    expect(() => impactScale(1, 17)).toThrow(/1\.\.16/);
    expect(() => impactScale(0, 8)).toThrow(/maxWeight/);
    expect(() => impactScale(Number.NaN, 8)).toThrow(QuantizationError);
  });
});

describe('quantizeVector', () => {
  it('rounds to nearest, clamps small weights to 1 and saturates heavy ones', () => {
    const scale = impactScale(2, 8); // 2/255
    const q = quantizeVector(
      vec([
        [1, 2],
        [5, 1],
        [7, 0.0001],
        [9, 4],
      ]),
      scale,
      8,
    );
    expect(Array.from(q.terms)).toEqual([1, 5, 7, 9]);
    expect(Array.from(q.impacts)).toEqual([255, 128, 1, 255]);
  });

  it('rejects zero, negative, NaN and infinite weights naming the term', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => quantizeVector(vec([[42, bad]]), 0.1)).toThrow(/term 42/);
    }
  });

  it('keeps the per-term error within half a step (or the clamp) for any bits', () => {
    fc.assert(
      fc.property(sparseVector, fc.integer({ min: 1, max: 16 }), (v, bits) => {
        const max = maxWeightOf([v]);
        fc.pre(max > 0);
        const scale = impactScale(max, bits);
        const q = quantizeVector(v, scale, bits);
        for (let i = 0; i < v.weights.length; i++) {
          const impact = q.impacts[i];
          expect(impact).toBeGreaterThanOrEqual(1);
          expect(impact).toBeLessThanOrEqual(2 ** bits - 1);
          if (v.weights[i] >= scale / 2) {
            expect(Math.abs(impact * scale - v.weights[i])).toBeLessThanOrEqual(scale / 2 + 1e-9 * max);
          }
        }
      }),
    );
  });
});

describe('quantizeQuery and dequantizeScore', () => {
  it('maps the largest query weight to the top impact', () => {
    const { vector, scale } = quantizeQuery(
      vec([
        [3, 0.5],
        [4, 2],
      ]),
      8,
    );
    expect(Array.from(vector.impacts)).toEqual([64, 255]);
    expect(scale).toBeCloseTo(2 / 255, 15);
  });

  it('keeps whole-number weights (BM25 term counts) exactly, with scale 1', () => {
    // 8-bit per-query scaling would give 128 and 255 at scale 2/255: 128 × 2/255 ≠ 1.
    const { vector, scale } = quantizeQuery(
      vec([
        [3, 1],
        [4, 2],
        [9, 7],
      ]),
      8,
    );
    expect(Array.from(vector.impacts)).toEqual([1, 2, 7]);
    expect(scale).toBe(1);
    // Fractions, or counts beyond 16 bits, are scaled as before.
    expect(quantizeQuery(vec([[1, 1.5]]), 8).scale).toBeCloseTo(1.5 / 255, 15);
    expect(quantizeQuery(vec([[1, 70_000]]), 16).scale).toBeCloseTo(70_000 / 65_535, 12);
  });

  it('gives an empty vector for an empty query', () => {
    const { vector, scale } = quantizeQuery(vec([]));
    expect(vector.impacts.length).toBe(0);
    expect(scale).toBe(1);
  });

  it('approximates the float dot product within the quantization error bound', () => {
    fc.assert(
      fc.property(sparseVector, sparseVector, (doc, query) => {
        const docMax = maxWeightOf([doc]);
        fc.pre(docMax > 0 && query.weights.length > 0);
        const indexScale = impactScale(docMax, 16);
        const qd = quantizeVector(doc, indexScale, 16);
        const { vector: qq, scale: queryScale } = quantizeQuery(query, 16);
        let exact = 0;
        let integer = 0;
        let bound = 0;
        const docWeights = new Map<number, number>();
        for (let i = 0; i < doc.terms.length; i++) docWeights.set(doc.terms[i], i);
        query.terms.forEach((t, j) => {
          const i = docWeights.get(t);
          if (i === undefined) return;
          exact += doc.weights[i] * query.weights[j];
          integer += qd.impacts[i] * qq.impacts[j];
          // |ab − a'b'| ≤ |a||b−b'| + |b'||a−a'|, with clamped weights bounded by one step.
          bound += doc.weights[i] * queryScale + (query.weights[j] + queryScale) * indexScale;
        });
        expect(Math.abs(dequantizeScore(integer, indexScale, queryScale) - exact)).toBeLessThanOrEqual(
          bound + 1e-9,
        );
      }),
    );
  });
});
