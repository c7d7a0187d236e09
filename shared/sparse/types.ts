/**
 * Sparse vectors: the one data type every part of csplade speaks.
 *
 * A learned sparse representation maps vocabulary term ids to positive weights (SPLADE:
 * log(1 + ReLU(logits)) max-pooled over tokens). Encoders produce float `SparseVector`s;
 * the index stores integer `QuantizedVector`s (impacts), see `shared/sparse/quantize.ts`.
 *
 * Invariant for both: `terms` is strictly increasing, `terms.length === weights.length`
 * (resp. `impacts.length`), and every weight/impact is > 0.
 */
export interface SparseVector {
  readonly terms: Uint32Array;
  readonly weights: Float32Array;
}

/** A sparse vector after quantization to unsigned integer impacts (see quantize.ts for the formula). */
export interface QuantizedVector {
  readonly terms: Uint32Array;
  readonly impacts: Uint16Array;
}
