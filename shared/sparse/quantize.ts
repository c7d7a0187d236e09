/**
 * Impact quantization: float SPLADE weights → unsigned integer impacts, and back to scores.
 *
 * Documents use ONE scale per index so that integer scores from different shards compare:
 *   indexScale = maxWeight / (2^bits − 1)          (maxWeight over every document of the index)
 *   impact(w)  = clamp(round(w / indexScale), 1, 2^bits − 1)   for w > 0
 * Rounding to nearest keeps the per-term error ≤ indexScale / 2; the clamp to 1 keeps a tiny but
 * positive weight in the index (a term the encoder kept must stay matchable), at the cost of
 * overstating weights below indexScale / 2. Queries are quantized the same way with their own scale
 * (`quantizeQuery`), so the integer dot product of two quantized vectors maps back to float as
 *   score ≈ integerScore × indexScale × queryScale                                  (`dequantizeScore`).
 * Except when a query's weights are already whole numbers that fit (BM25 queries are term counts, with
 * idf folded into the document impacts): then they are used as they are, with queryScale = 1, so the
 * query side adds no error and impact × query weight is each term's contribution exactly.
 * With bits ≤ 16 on both sides a product is < 2^32, so a sum over ≤ 2^21 query terms stays an exact
 * double (< 2^53). `shared/shard/FORMAT.md` repeats this formula; the shard stores bits and indexScale.
 */
import { CspladeError } from '../errors.ts';
import type { QuantizedVector, SparseVector } from './types.ts';

export const DEFAULT_IMPACT_BITS = 8;
export const MIN_IMPACT_BITS = 1;
export const MAX_IMPACT_BITS = 16;

/** Raised for a bits value, scale or weight that quantization cannot represent. */
export class QuantizationError extends CspladeError {
  constructor(message: string) {
    super('invalid_quantization', message);
  }
}

/** Largest impact representable with `bits` bits: 2^bits − 1. */
export function maxImpactFor(bits: number): number {
  checkBits(bits);
  return 2 ** bits - 1;
}

/**
 * The index-wide scale: one impact step in weight units.
 * @example impactScale(3.0, 8) // 3 / 255
 */
export function impactScale(maxWeight: number, bits: number = DEFAULT_IMPACT_BITS): number {
  checkBits(bits);
  if (!Number.isFinite(maxWeight) || maxWeight <= 0) {
    throw new QuantizationError(`maxWeight must be a finite number > 0, got ${maxWeight}`);
  }
  return maxWeight / (2 ** bits - 1);
}

/** The largest weight of a set of vectors (what the batch job gathers before quantizing). */
export function maxWeightOf(vectors: Iterable<SparseVector>): number {
  let max = 0;
  for (const v of vectors) {
    const w = v.weights;
    for (let i = 0; i < w.length; i++) if (w[i] > max) max = w[i];
  }
  return max;
}

/**
 * Quantizes one vector with a given scale. Weights must be finite and > 0 (the SparseVector
 * invariant); weights above the scale's range (a document heavier than the gathered maxWeight)
 * saturate at 2^bits − 1 rather than wrap.
 */
export function quantizeVector(
  v: SparseVector,
  scale: number,
  bits: number = DEFAULT_IMPACT_BITS,
): QuantizedVector {
  const maxImpact = maxImpactFor(bits);
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new QuantizationError(`scale must be a finite number > 0, got ${scale}`);
  }
  const { terms, weights } = v;
  if (terms.length !== weights.length) {
    throw new QuantizationError(`vector has ${terms.length} terms but ${weights.length} weights`);
  }
  const impacts = new Uint16Array(weights.length);
  const inverse = 1 / scale;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    // `!(w > 0)` also rejects NaN.
    if (!(w > 0) || w === Number.POSITIVE_INFINITY) {
      throw new QuantizationError(`weight of term ${terms[i]} must be finite and > 0, got ${w}`);
    }
    const q = Math.round(w * inverse);
    impacts[i] = Math.min(Math.max(q, 1), maxImpact);
  }
  return { terms, impacts };
}

/**
 * Quantizes a query with its own scale (its largest weight maps to 2^bits − 1) — unless every weight is
 * a whole number from 1 to 2^16 − 1 (term counts): those are kept exactly, with scale 1.
 * An empty query gives an empty vector and scale 1.
 */
export function quantizeQuery(
  v: SparseVector,
  bits: number = DEFAULT_IMPACT_BITS,
): { vector: QuantizedVector; scale: number } {
  checkBits(bits);
  let max = 0;
  let whole = true;
  for (let i = 0; i < v.weights.length; i++) {
    const w = v.weights[i];
    if (w > max) max = w;
    if (!Number.isInteger(w) || w < 1) whole = false;
  }
  if (v.weights.length === 0) return { vector: { terms: v.terms, impacts: new Uint16Array(0) }, scale: 1 };
  // Products of two 16-bit numbers summed over ≤ 2^21 terms stay exact doubles (see the module comment).
  if (whole && max <= 2 ** MAX_IMPACT_BITS - 1) {
    return { vector: { terms: v.terms, impacts: Uint16Array.from(v.weights) }, scale: 1 };
  }
  const scale = impactScale(max, bits);
  return { vector: quantizeVector(v, scale, bits), scale };
}

/** Float score shown to users: integerScore × indexScale × queryScale. */
export function dequantizeScore(integerScore: number, indexScale: number, queryScale: number): number {
  return integerScore * indexScale * queryScale;
}

/** Dequantizes one impact back to a weight (for explanations). */
export function dequantizeImpact(impact: number, scale: number): number {
  return impact * scale;
}

function checkBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < MIN_IMPACT_BITS || bits > MAX_IMPACT_BITS) {
    throw new QuantizationError(
      `impact bits must be an integer in ${MIN_IMPACT_BITS}..${MAX_IMPACT_BITS}, got ${bits}`,
    );
  }
}
