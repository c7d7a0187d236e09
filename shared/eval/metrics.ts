/**
 * Per-query metrics with trec_eval's definitions, over the relevance of each ranked document
 * (`ranked[i]` = qrels relevance of the document at rank i + 1, 0 when unjudged) and the query's
 * judgments (`judged`: every qrels relevance of the query, retrieved or not). A document is relevant
 * when its relevance is > 0 (trec_eval's relevance_level 1 on integer qrels); gains are the relevance
 * values themselves. Each function names the trec_eval measure it matches.
 */

/** Number of relevant judgments (trec_eval num_rel). */
export function countRelevant(judged: readonly number[]): number {
  let n = 0;
  for (const rel of judged) if (rel > 0) n++;
  return n;
}

/**
 * nDCG at cutoff k (trec_eval `ndcg_cut.k`): DCG = Σ_{rank ≤ k} gain / log2(rank + 1) over the run,
 * divided by the same sum over the judgments sorted by gain (the ideal ranking from the qrels, not
 * from what was retrieved). 0 when no judgment is relevant.
 * @example ndcgAt([0, 1], [1], 10) // (1 / log2 3) / 1 ≈ 0.6309
 */
export function ndcgAt(ranked: readonly number[], judged: readonly number[], k: number): number {
  let dcg = 0;
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if (ranked[i] > 0) dcg += ranked[i] / Math.log2(i + 2);
  const ideal = judged.filter((rel) => rel > 0).sort((a, b) => b - a);
  let idcg = 0;
  const m = Math.min(k, ideal.length);
  for (let i = 0; i < m; i++) idcg += ideal[i] / Math.log2(i + 2);
  return idcg > 0 ? dcg / idcg : 0;
}

/**
 * Reciprocal rank of the first relevant document within the top k (MRR@k per query; trec_eval
 * `recip_rank` on a run cut at k). 0 when none is in the top k.
 * @example reciprocalRankAt([0, 0, 2], 10) // 1/3
 */
export function reciprocalRankAt(ranked: readonly number[], k: number): number {
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if (ranked[i] > 0) return 1 / (i + 1);
  return 0;
}

/**
 * Recall at cutoff k (trec_eval `recall.k`): relevant documents in the top k / all relevant judgments.
 * @example recallAt([1, 0, 1], [1, 1, 1, 0], 2) // 1/3
 */
export function recallAt(ranked: readonly number[], judged: readonly number[], k: number): number {
  const numRel = countRelevant(judged);
  if (numRel === 0) return 0;
  let found = 0;
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if (ranked[i] > 0) found++;
  return found / numRel;
}

/**
 * Average precision over the whole ranking (trec_eval `map` per query): the mean, over ALL relevant
 * judgments, of precision at the rank where each is retrieved (0 for those never retrieved).
 * @example averagePrecision([1, 0, 1], [1, 1, 1]) // (1/1 + 2/3) / 3
 */
export function averagePrecision(ranked: readonly number[], judged: readonly number[]): number {
  const numRel = countRelevant(judged);
  if (numRel === 0) return 0;
  let found = 0;
  let sum = 0;
  for (let i = 0; i < ranked.length; i++) {
    if (ranked[i] > 0) {
      found++;
      sum += found / (i + 1);
    }
  }
  return sum / numRel;
}
