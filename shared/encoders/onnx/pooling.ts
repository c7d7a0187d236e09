/**
 * SPLADE pooling in plain TypeScript: weight(term) = max over pooled positions of
 * log(1 + ReLU(logit)). This is the reference the fused in-graph head (`csplade model prepare`)
 * is tested against, and the fallback for unprepared models. Also: top-k of a dense or
 * (ids, weights) result into a `SparseVector`, and max-merging the vectors of a document's
 * windows.
 */
import type { SparseVector } from '../../sparse/types.ts';

/**
 * Pools one sequence of a [batch, sequence, vocab] logits tensor into a dense vocab-sized vector.
 * `logits` may be float32 values or anything indexable as numbers (fp16 decoded upstream).
 */
export function spladePoolDense(
  logits: ArrayLike<number>,
  shape: readonly [number, number, number],
  batchIndex: number,
  poolStart: number,
  poolEnd: number,
): Float32Array {
  const [, seq, vocab] = shape;
  const dense = new Float32Array(vocab);
  for (let p = poolStart; p < poolEnd; p++) {
    const base = (batchIndex * seq + p) * vocab;
    for (let t = 0; t < vocab; t++) {
      const x = logits[base + t];
      // ReLU first: log1p is monotone, so max(log1p(relu x)) = log1p(relu(max x)).
      if (x > dense[t]) dense[t] = x;
    }
  }
  for (let t = 0; t < vocab; t++) dense[t] = Math.log1p(dense[t]);
  return dense;
}

/** The k largest positive entries as a SparseVector (terms ascending). */
export function topKDense(dense: Float32Array, k: number): SparseVector {
  const ids: number[] = [];
  for (let t = 0; t < dense.length; t++) if (dense[t] > 0) ids.push(t);
  if (ids.length > k) {
    ids.sort((a, b) => dense[b] - dense[a] || a - b);
    ids.length = k;
  }
  return fromPairs(ids, (i) => dense[i]);
}

/** A SparseVector from parallel (ids, weights) with unique ids, such as a TopK output; drops weights <= 0 and keeps the best k. */
export function sparseFromTopK(
  ids: ArrayLike<number | bigint>,
  weights: ArrayLike<number>,
  k: number,
): SparseVector {
  // Runs once per sequence on the main thread, between session.run calls: typed arrays, no Map.
  const numericIds = new Float64Array(weights.length);
  const order: number[] = [];
  for (let i = 0; i < weights.length; i++) {
    if (weights[i] > 0) {
      order.push(i);
      numericIds[i] = Number(ids[i]);
    }
  }
  if (order.length > k) {
    order.sort((a, b) => weights[b] - weights[a] || numericIds[a] - numericIds[b]);
    order.length = k;
  }
  order.sort((a, b) => numericIds[a] - numericIds[b]);
  const terms = new Uint32Array(order.length);
  const out = new Float32Array(order.length);
  for (let j = 0; j < order.length; j++) {
    terms[j] = numericIds[order[j]];
    out[j] = weights[order[j]];
  }
  return { terms, weights: out };
}

/** Max-pools several sparse vectors (the windows of one document), then keeps the best k. */
export function maxMergeSparse(vectors: readonly SparseVector[], k: number): SparseVector {
  if (vectors.length === 1 && vectors[0].terms.length <= k) return vectors[0];
  const merged = new Map<number, number>();
  for (const v of vectors) {
    for (let i = 0; i < v.terms.length; i++) {
      const previous = merged.get(v.terms[i]);
      if (previous === undefined || v.weights[i] > previous) merged.set(v.terms[i], v.weights[i]);
    }
  }
  const terms = [...merged.keys()];
  return sparseFromTopK(
    terms,
    terms.map((t) => merged.get(t)!),
    k,
  );
}

function fromPairs(ids: number[], weightOf: (id: number) => number): SparseVector {
  ids.sort((a, b) => a - b);
  const terms = new Uint32Array(ids);
  const weights = new Float32Array(ids.length);
  for (let i = 0; i < ids.length; i++) weights[i] = weightOf(ids[i]);
  return { terms, weights };
}
