/**
 * Token ids → sparse vector of counts: the bag-of-words step shared by BM25 (tf per document,
 * query term counts) and the weight table (unique query tokens). Sorting a typed copy and counting
 * runs is faster than a Map for the few hundred ids of a document and gives the sorted `terms`
 * the SparseVector invariant asks for.
 */
import type { SparseVector } from '../sparse/types.ts';

export interface TermCounts {
  /** Distinct term ids, strictly increasing. */
  readonly terms: Uint32Array;
  /** Occurrences of each term (≥ 1). */
  readonly counts: Uint32Array;
}

export function countTerms(ids: Uint32Array): TermCounts {
  if (ids.length === 0) return { terms: new Uint32Array(0), counts: new Uint32Array(0) };
  const sorted = ids.slice().sort();
  const terms = new Uint32Array(sorted.length);
  const counts = new Uint32Array(sorted.length);
  let distinct = 0;
  terms[0] = sorted[0];
  counts[0] = 1;
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === terms[distinct]) counts[distinct]++;
    else {
      distinct++;
      terms[distinct] = sorted[i];
      counts[distinct] = 1;
    }
  }
  return { terms: terms.slice(0, distinct + 1), counts: counts.slice(0, distinct + 1) };
}

/** Counts as weights: the BM25 query vector. */
export function countsAsVector(counts: TermCounts): SparseVector {
  return { terms: counts.terms, weights: Float32Array.from(counts.counts) };
}

/** Keeps only entries with weight > 0 (the SparseVector invariant). */
export function dropZeroWeights(terms: Uint32Array, weights: Float32Array): SparseVector {
  let kept = 0;
  for (let i = 0; i < weights.length; i++) if (weights[i] > 0) kept++;
  if (kept === weights.length) return { terms, weights };
  const keptTerms = new Uint32Array(kept);
  const keptWeights = new Float32Array(kept);
  for (let i = 0, k = 0; i < weights.length; i++) {
    if (weights[i] > 0) {
      keptTerms[k] = terms[i];
      keptWeights[k++] = weights[i];
    }
  }
  return { terms: keptTerms, weights: keptWeights };
}
