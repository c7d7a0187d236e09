/**
 * Pruning before indexing, the knobs learned-sparse indexes use to trade a little accuracy for size and
 * speed: per document, drop weights below `minWeight` and keep the `topK` heaviest terms; over the index,
 * drop terms whose document frequency exceeds `maxDfRatio` of the documents (as Elasticsearch's token
 * pruning: such terms cost the longest posting lists and discriminate least). Ties in top-k keep the lower
 * term id, so pruning is deterministic.
 */
import type { SparseVector } from '../../shared/sparse/types.ts';
import { PipelineConfigError } from './errors.ts';

export interface PruningOptions {
  /** Keep at most this many terms per document (default: all). */
  readonly docTopK?: number;
  /** Drop weights below this (default 0: keep every positive weight). */
  readonly minWeight?: number;
  /** Drop terms present in more than this fraction of documents (default 1: keep all). */
  readonly maxDfRatio?: number;
}

export function checkPruningOptions(options: PruningOptions): void {
  const { docTopK, minWeight, maxDfRatio } = options;
  if (docTopK !== undefined && (!Number.isInteger(docTopK) || docTopK < 1)) {
    throw new PipelineConfigError(`doc top-k must be an integer ≥ 1, got ${docTopK}`);
  }
  if (minWeight !== undefined && !(Number.isFinite(minWeight) && minWeight >= 0)) {
    throw new PipelineConfigError(`min weight must be a finite number ≥ 0, got ${minWeight}`);
  }
  if (maxDfRatio !== undefined && !(maxDfRatio > 0 && maxDfRatio <= 1)) {
    throw new PipelineConfigError(`max df ratio must be in (0, 1], got ${maxDfRatio}`);
  }
}

/** Applies `minWeight` and `docTopK` to one vector; returns the input itself when nothing is dropped. */
export function pruneDocument(v: SparseVector, options: PruningOptions): SparseVector {
  const minWeight = options.minWeight ?? 0;
  const topK = options.docTopK ?? Number.POSITIVE_INFINITY;
  const n = v.terms.length;
  let kept = 0;
  for (let i = 0; i < n; i++) if (v.weights[i] >= minWeight && v.weights[i] > 0) kept++;
  if (kept === n && n <= topK) return v;
  let order: number[] = [];
  for (let i = 0; i < n; i++) if (v.weights[i] >= minWeight && v.weights[i] > 0) order.push(i);
  if (order.length > topK) {
    order.sort((a, b) => v.weights[b] - v.weights[a] || v.terms[a] - v.terms[b]);
    order = order.slice(0, topK).sort((a, b) => a - b);
  }
  const terms = new Uint32Array(order.length);
  const weights = new Float32Array(order.length);
  order.forEach((i, k) => {
    terms[k] = v.terms[i];
    weights[k] = v.weights[i];
  });
  return { terms, weights };
}

/** Adds the document frequencies of `vectors` into `df` (length = vocabulary size). */
export function countDocumentFrequencies(vectors: readonly SparseVector[], df: Uint32Array): void {
  for (const v of vectors) for (let i = 0; i < v.terms.length; i++) df[v.terms[i]]++;
}

/** Flags (1) the terms whose df exceeds `maxDfRatio · numDocs`; returns the flags and their count. */
export function highDocumentFrequencyTerms(
  df: Uint32Array,
  numDocs: number,
  maxDfRatio: number,
): { drop: Uint8Array; removed: number } {
  const limit = maxDfRatio * numDocs;
  const drop = new Uint8Array(df.length);
  let removed = 0;
  for (let t = 0; t < df.length; t++) {
    if (df[t] > limit) {
      drop[t] = 1;
      removed++;
    }
  }
  return { drop, removed };
}

/** `v` without the flagged terms (the input itself when it has none of them). */
export function dropTerms(v: SparseVector, drop: Uint8Array): SparseVector {
  let keep = 0;
  for (let i = 0; i < v.terms.length; i++) if (!drop[v.terms[i]]) keep++;
  if (keep === v.terms.length) return v;
  const terms = new Uint32Array(keep);
  const weights = new Float32Array(keep);
  for (let i = 0, k = 0; i < v.terms.length; i++) {
    if (drop[v.terms[i]]) continue;
    terms[k] = v.terms[i];
    weights[k++] = v.weights[i];
  }
  return { terms, weights };
}

/**
 * Removes terms whose df exceeds `maxDfRatio · vectors.length`, in place in the array (in-memory form of
 * the three functions above). Returns the number of distinct terms removed.
 */
export function pruneByDocumentFrequency(
  vectors: SparseVector[],
  vocabSize: number,
  maxDfRatio: number,
): number {
  const df = new Uint32Array(vocabSize);
  countDocumentFrequencies(vectors, df);
  const { drop, removed } = highDocumentFrequencyTerms(df, vectors.length, maxDfRatio);
  if (removed > 0) for (let d = 0; d < vectors.length; d++) vectors[d] = dropTerms(vectors[d], drop);
  return removed;
}
