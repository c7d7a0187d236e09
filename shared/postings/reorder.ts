/**
 * Doc-id reordering by sparse clustering, run before inversion, so that documents about the same
 * things get neighbouring doc ids.
 *
 * Block-max pruning only pays when a doc-range block's per-term maxima differ from the term's
 * global maximum, i.e. when the few documents that score high for a query share range blocks.
 * In arrival order they do not (bench:engine: at 64-doc blocks nearly every block's bound beats
 * the 10th score). Graph bisection (BP) is the reference reordering but costs minutes in JS;
 * this is a cheap k-means-like substitute: seed C centroids from random documents, assign each
 * document to the centroid with the largest dot product over discriminative terms (df at most
 * `maxDfFraction` of the corpus; common terms say nothing about topic), recompute centroids from
 * their members (top `centroidTerms` terms each), reassign, then order documents by cluster and,
 * inside a cluster, by their original order. Scoring against centroids goes through a small
 * inverted index of the centroids, so each pass costs about one visit per posting.
 */
import type { QuantizedVector } from '../sparse/types.ts';

export interface ReorderOptions {
  /** Target documents per cluster (default 256). */
  clusterSize?: number;
  /**
   * Terms present in more than this fraction of documents are ignored (default 0.02), unless they
   * are in at most two clusters' worth of documents: in a small shard a topic's words easily pass
   * 2% of it and still say which cluster a document belongs to.
   */
  maxDfFraction?: number;
  /** Terms kept per centroid (default 48). */
  centroidTerms?: number;
  /** Assignment passes after seeding (default 2). */
  iterations?: number;
  seed?: number;
}

/**
 * Returns `order`: order[newDocId] = oldDocId (a permutation of 0..n-1). Apply it with
 * `order.map(i => documents[i])` and keep it as the shard's doc map.
 */
export function clusterOrder(
  documents: readonly QuantizedVector[],
  numTerms: number,
  options?: ReorderOptions,
): Uint32Array {
  const model = trainClusters(documents, numTerms, documents.length, options);
  return orderByCluster(assignClusters(documents, model), model.numClusters, centroidRanks(model));
}

/**
 * A rank for every cluster such that similar clusters get neighbouring ranks: the centroids are
 * themselves clustered (groups of about eight), so a subject split over several centroids stays in one
 * stretch of the order — one shard, and neighbouring forward records — instead of wherever its
 * centroids' random seeds put them.
 */
export function centroidRanks(model: ClusterModel): Uint32Array {
  const n = model.numClusters;
  const ranks = new Uint32Array(n);
  if (n <= 2) {
    for (let c = 0; c < n; c++) ranks[c] = c;
    return ranks;
  }
  const vectors: QuantizedVector[] = model.centroids.map(({ terms, weights }) => {
    const idx = Array.from(terms.keys()).sort((a, b) => terms[a] - terms[b]);
    let max = 0;
    for (const w of weights) max = Math.max(max, w);
    return {
      terms: Uint32Array.from(idx, (i) => terms[i]),
      impacts: Uint16Array.from(idx, (i) => Math.max(1, Math.round((weights[i] / max) * 255))),
    };
  });
  const order = clusterOrder(vectors, model.useful.length, { clusterSize: 8 });
  order.forEach((cluster, rank) => {
    ranks[cluster] = rank;
  });
  return ranks;
}

/** Centroids learnt from documents, and which terms they may use. */
export interface ClusterModel {
  readonly numClusters: number;
  readonly useful: Uint8Array;
  readonly centroids: readonly { terms: Uint32Array; weights: Float64Array }[];
}

/**
 * Learns centroids from `documents` (all of a shard, or a sample of a larger collection), aiming at
 * `targetDocs` / clusterSize clusters (at most one per document).
 */
export function trainClusters(
  documents: readonly QuantizedVector[],
  numTerms: number,
  targetDocs: number,
  options?: ReorderOptions,
): ClusterModel {
  const n = documents.length;
  const clusterSize = options?.clusterSize ?? 256;
  const maxDf = Math.max(
    2,
    Math.floor((options?.maxDfFraction ?? 0.02) * n),
    Math.ceil((2 * clusterSize * n) / Math.max(1, targetDocs)),
  );
  const centroidTerms = options?.centroidTerms ?? 48;
  const iterations = options?.iterations ?? 2;
  const numClusters = Math.max(1, Math.min(n, Math.round(targetDocs / clusterSize)));
  let rngState = (options?.seed ?? 1) >>> 0;
  const random = () => {
    rngState = (Math.imul(rngState, 1664525) + 1013904223) >>> 0;
    return rngState / 4294967296;
  };

  const df = new Uint32Array(numTerms);
  for (const d of documents) for (let i = 0; i < d.terms.length; i++) df[d.terms[i]]++;
  const useful = new Uint8Array(numTerms);
  for (let t = 0; t < numTerms; t++) useful[t] = df[t] >= 2 && df[t] <= maxDf ? 1 : 0;

  // Centroids as (term, weight) lists of at most centroidTerms entries each.
  let centroids: { terms: Uint32Array; weights: Float64Array }[] = [];
  for (let c = 0; c < numClusters; c++) {
    const doc = documents[Math.floor(random() * n)];
    centroids.push(topTerms(doc.terms, Float64Array.from(doc.impacts), useful, centroidTerms));
  }
  for (let pass = 0; pass < iterations; pass++) {
    const assignment = assignClusters(documents, { numClusters, useful, centroids });
    centroids = recomputeCentroids(documents, assignment, numClusters, useful, centroidTerms);
  }
  return { numClusters, useful, centroids };
}

/**
 * Each document's cluster: the centroid with the largest dot product over the model's useful terms,
 * -1 when it shares none. Scoring goes through a small inverted index of the centroids, so a pass
 * costs about one visit per posting.
 */
export function assignClusters(documents: readonly QuantizedVector[], model: ClusterModel): Int32Array {
  const { numClusters, useful } = model;
  const index = invertCentroids(model.centroids, useful.length);
  const assignment = new Int32Array(documents.length);
  const scores = new Float64Array(numClusters);
  const touched = new Int32Array(numClusters);
  for (let d = 0; d < documents.length; d++) {
    const { terms, impacts } = documents[d];
    let numTouched = 0;
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i];
      if (t >= useful.length || useful[t] === 0) continue;
      const w = impacts[i];
      for (let p = index.starts[t]; p < index.starts[t + 1]; p++) {
        const c = index.clusters[p];
        if (scores[c] === 0) touched[numTouched++] = c;
        scores[c] += w * index.weights[p];
      }
    }
    let best = -1;
    let bestScore = 0;
    for (let i = 0; i < numTouched; i++) {
      const c = touched[i];
      if (scores[c] > bestScore || (scores[c] === bestScore && c < best)) {
        bestScore = scores[c];
        best = c;
      }
      scores[c] = 0;
    }
    assignment[d] = best;
  }
  return assignment;
}

/**
 * Documents by cluster rank (`ranks[c]`, identity when absent): a counting sort, stable inside a
 * cluster; unassigned documents (-1) go last.
 */
export function orderByCluster(
  assignment: Int32Array,
  numClusters: number,
  ranks?: Uint32Array,
): Uint32Array {
  const n = assignment.length;
  const slot = (d: number) =>
    assignment[d] < 0 ? numClusters : ranks ? ranks[assignment[d]] : assignment[d];
  const counts = new Uint32Array(numClusters + 2);
  for (let d = 0; d < n; d++) counts[slot(d) + 1]++;
  for (let c = 0; c <= numClusters; c++) counts[c + 1] += counts[c];
  const order = new Uint32Array(n);
  for (let d = 0; d < n; d++) order[counts[slot(d)]++] = d;
  return order;
}

function topTerms(
  terms: Uint32Array,
  weights: Float64Array,
  useful: Uint8Array,
  limit: number,
): { terms: Uint32Array; weights: Float64Array } {
  const idx: number[] = [];
  for (let i = 0; i < terms.length; i++) if (useful[terms[i]] === 1 && weights[i] > 0) idx.push(i);
  idx.sort((a, b) => weights[b] - weights[a] || terms[a] - terms[b]);
  const keep = idx.slice(0, limit);
  return {
    terms: Uint32Array.from(keep, (i) => terms[i]),
    weights: Float64Array.from(keep, (i) => weights[i]),
  };
}

function invertCentroids(
  centroids: readonly { terms: Uint32Array; weights: Float64Array }[],
  numTerms: number,
) {
  const starts = new Uint32Array(numTerms + 1);
  for (const c of centroids) for (let i = 0; i < c.terms.length; i++) starts[c.terms[i] + 1]++;
  for (let t = 0; t < numTerms; t++) starts[t + 1] += starts[t];
  const fill = starts.slice(0, numTerms);
  const clusters = new Int32Array(starts[numTerms]);
  const weights = new Float64Array(starts[numTerms]);
  centroids.forEach((c, id) => {
    // Normalise so large clusters do not attract everything: unit L2 norm per centroid.
    let norm = 0;
    for (let i = 0; i < c.weights.length; i++) norm += c.weights[i] * c.weights[i];
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let i = 0; i < c.terms.length; i++) {
      const at = fill[c.terms[i]]++;
      clusters[at] = id;
      weights[at] = c.weights[i] * scale;
    }
  });
  return { starts, clusters, weights };
}

function recomputeCentroids(
  documents: readonly QuantizedVector[],
  assignment: Int32Array,
  numClusters: number,
  useful: Uint8Array,
  centroidTerms: number,
): { terms: Uint32Array; weights: Float64Array }[] {
  // Group documents by cluster, then sum each cluster's vectors in a dense scratch over terms.
  const counts = new Uint32Array(numClusters + 1);
  for (let d = 0; d < assignment.length; d++) if (assignment[d] >= 0) counts[assignment[d] + 1]++;
  for (let c = 0; c < numClusters; c++) counts[c + 1] += counts[c];
  const members = new Uint32Array(counts[numClusters]);
  const fill = counts.slice(0, numClusters);
  for (let d = 0; d < assignment.length; d++) if (assignment[d] >= 0) members[fill[assignment[d]]++] = d;
  const sums = new Float64Array(useful.length);
  const touchedTerms: number[] = [];
  const result: { terms: Uint32Array; weights: Float64Array }[] = [];
  for (let c = 0; c < numClusters; c++) {
    touchedTerms.length = 0;
    for (let m = counts[c]; m < counts[c + 1]; m++) {
      const { terms, impacts } = documents[members[m]];
      for (let i = 0; i < terms.length; i++) {
        const t = terms[i];
        if (useful[t] === 0) continue;
        if (sums[t] === 0) touchedTerms.push(t);
        sums[t] += impacts[i];
      }
    }
    const terms = Uint32Array.from(touchedTerms);
    const weights = Float64Array.from(terms, (t) => sums[t]);
    for (const t of touchedTerms) sums[t] = 0;
    result.push(topTerms(terms, weights, useful, centroidTerms));
  }
  return result;
}
